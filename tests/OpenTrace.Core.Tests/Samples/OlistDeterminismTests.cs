using OpenTrace.Core.Samples;
using OpenTrace.Testing;

namespace OpenTrace.Core.Tests.Samples;

public sealed class OlistDeterminismTests
{
    /// <summary>SHA-256 of the nine files at seed 42, scale 0.01. It changes only when the generator's output
    /// changes on purpose; then record the new value (and say so in the change).</summary>
    private const string RecordedHash = "72fc6aed612acc6e235287031a8d5815cd0dc4b8213bd646256d81d7dd90b550";

    [Fact]
    public async Task Generate_Seed42Scale001_MatchesTheRecordedHash()
    {
        var generated = await GeneratedOlist.GenerateAsync(new OlistGeneratorOptions { Scale = 0.01, Seed = 42 });

        Assert.Equal(RecordedHash, GeneratedOlist.Hash(generated.Files));
    }

    [Fact]
    public async Task Generate_SameOptionsTwice_WritesIdenticalBytes()
    {
        var options = new OlistGeneratorOptions { Scale = 0.01, Seed = 7, Dirty = true };

        var first = await GeneratedOlist.GenerateAsync(options);
        var second = await GeneratedOlist.GenerateAsync(options);

        foreach (var file in OlistDataset.Files)
        {
            Assert.Equal(first.Files[file.FileName], second.Files[file.FileName]);
        }
    }

    [Fact]
    public async Task WriteToDirectory_WritesTheSameBytesAsStreams()
    {
        using var folder = new TempDirectory("olist-gen");
        var options = new OlistGeneratorOptions { Scale = 0.005, Seed = 3 };

        var summary = await new OlistGenerator(options).WriteToDirectoryAsync(folder.Path, cancellationToken: TestContext.Current.CancellationToken);
        var inMemory = await GeneratedOlist.GenerateAsync(options);

        foreach (var file in OlistDataset.Files)
        {
            var bytes = await File.ReadAllBytesAsync(folder.Combine(file.FileName), TestContext.Current.CancellationToken);
            Assert.Equal(inMemory.Files[file.FileName], bytes);
            Assert.Equal(bytes.LongLength, summary.Files.Single(f => f.FileName == file.FileName).Bytes);
        }
    }

    [Fact]
    public async Task Generate_DifferentSeeds_WriteDifferentData()
    {
        var a = await GeneratedOlist.GetAsync(0.01, seed: 42);
        var b = await GeneratedOlist.GetAsync(0.01, seed: 43);

        Assert.NotEqual(GeneratedOlist.Hash(a.Files), GeneratedOlist.Hash(b.Files));
        Assert.Empty(a.Orders.Values("order_id").Intersect(b.Orders.Values("order_id")));
    }

    [Fact]
    public async Task Generate_Dirty_IsTheCleanDataWithOnlyTheDirtChanged()
    {
        var clean = await GeneratedOlist.GetAsync(0.02);
        var dirty = await GeneratedOlist.GetAsync(0.02, dirty: true);

        var cleanRows = clean.Text(OlistDataset.Orders).Split('\n').ToHashSet(StringComparer.Ordinal);
        var dirtyRows = dirty.Text(OlistDataset.Orders).Split('\n');
        var changed = dirtyRows.Count(r => !cleanRows.Contains(r));

        Assert.Equal(clean.Orders.Rows.Select(r => r[0]), dirty.Orders.Rows.Select(r => r[0]).Distinct());
        // drifted status, emptied approval, impossible date, numeric-looking customer id: a few percent of rows at most
        Assert.InRange(changed, 1, dirtyRows.Length * 5 / 100);
    }
}
