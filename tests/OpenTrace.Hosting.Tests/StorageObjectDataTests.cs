using System.Text.Json;
using OpenTrace.Hosting.Events;

namespace OpenTrace.Hosting.Tests;

public sealed class StorageObjectDataTests
{
    [Theory]
    [InlineData("""{"generation":"1715678467498231","metageneration":"3","size":"17654914"}""")]
    [InlineData("""{"generation":1715678467498231,"metageneration":3,"size":17654914}""")]
    public void Deserialize_Int64FieldsAsStringsOrNumbers_ReadTheSameValues(string json)
    {
        var data = JsonSerializer.Deserialize<StorageObjectData>(json)!;

        Assert.Equal((1715678467498231L, 3L, "17654914", 17654914L), (data.Generation, data.Metageneration, data.Size, data.SizeBytes));
    }

    [Fact]
    public void Serialize_WritesInt64FieldsAsStrings_AsGcsDoes()
    {
        var json = JsonSerializer.SerializeToElement(new StorageObjectData { Generation = 5, Metageneration = 1, Size = "10" });

        Assert.Equal(("5", "1", "10"), (json.GetProperty("generation").GetString(), json.GetProperty("metageneration").GetString(), json.GetProperty("size").GetString()));
    }
}
