using System.Text;
using OpenTrace.Core.Storage;
using OpenTrace.Gcp.Storage;
using OpenTrace.Gcp.Tests.Fakes;

namespace OpenTrace.Gcp.Tests.Storage;

/// <summary>The JSON API requests the store makes against the real endpoint, checked against stored exchanges.</summary>
public sealed class GcsRequestShapeTests
{
    private const string Bucket = "demo-project-bronze";

    [Fact]
    public async Task Requests_MatchTheJsonApiReference_ForGetListDeleteAndCreateOnlyUpload()
    {
        var clients = new TestClients();
        var replay = new ReplayHandler(Path.Combine("storage", "shapes.json"));
        var options = TestClients.Options();
        var store = new GcsObjectStore(clients.Rest(replay, options, "Cloud Storage"), options);
        var ct = TestContext.Current.CancellationToken;

        var info = await store.GetAsync(Bucket, "olist/orders/june 2024.csv", ct);
        var missing = await store.GetAsync(Bucket, "olist/missing.csv", ct);
        var listed = await store.ListAsync(Bucket, "olist/", ct).Select(o => o.Name).ToListAsync(ct);
        var conflict = await Assert.ThrowsAsync<PreconditionFailedException>(() => store.DeleteAsync(Bucket, "olist/a.csv", 7, ct));
        var created = await store.UploadAsync(Bucket, "olist/new.csv", new MemoryStream(Encoding.UTF8.GetBytes("order_id\n1\n2\n3\n")), ObjectWriteOptions.CreateOnly(), ct);
        var deleted = await store.DeleteAsync(Bucket, "olist/gone.csv", cancellationToken: ct);

        replay.AssertAllReplayed();
        Assert.All(replay.Authorizations, a => Assert.Equal($"Bearer {TestClients.Token}", a));
        Assert.Equal(1717236000123456, info!.Generation);
        Assert.Equal(new DateTimeOffset(2024, 6, 1, 10, 0, 0, 123, TimeSpan.Zero), info.Created);
        Assert.Null(missing);
        Assert.Equal(["olist/a.csv", "olist/b.csv", "olist/c.csv"], listed);
        Assert.Equal((7L, 1L), (conflict.ExpectedGeneration!.Value, conflict.ActualGeneration!.Value));
        Assert.Equal(15, created.Size);
        Assert.False(deleted);
        Assert.Single(clients.Delays);
    }

    [Theory]
    [InlineData("", "AAAAAA==")]
    [InlineData("123456789", "4waSgw==")] // the CRC32C check value 0xE3069283
    [InlineData("order_id\n1\n2\n3\n", "bshBOQ==")]
    public void Crc32C_MatchesTheCastagnoliCheckValues(string text, string expected)
    {
        var crc = new Crc32C();
        var bytes = Encoding.UTF8.GetBytes(text);
        crc.Append(bytes.AsSpan(0, bytes.Length / 2));
        crc.Append(bytes.AsSpan(bytes.Length / 2));

        Assert.Equal(expected, crc.ToBase64());
        Assert.Equal(expected, ReferenceCrc32C.Base64(bytes));
    }
}
