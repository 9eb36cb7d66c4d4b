using OpenTrace.Core.Gold;

namespace OpenTrace.Core.Tests.Gold;

public sealed class GoldInputStateTests
{
    [Fact]
    public void ChangedLineage_ListsNewFilesAndFilesThatGainedRows()
    {
        var before = State(("silver.o", new() { ["a"] = 10, ["b"] = 5 }));
        var after = State(("silver.o", new() { ["a"] = 8, ["b"] = 6, ["c"] = 2 }));

        Assert.Equal(["b", "c"], after.ChangedLineage("silver.o", before));
        Assert.Equal(["a", "b", "c"], after.ChangedLineage("silver.o", previous: null));
        Assert.Empty(after.ChangedLineage("silver.unknown", before));
    }

    [Fact]
    public void Differences_NamesChangedSourcesAndModels_AndSurvivesJson()
    {
        var before = State(("silver.o", new() { ["a"] = 10 }));
        before.Models["dim"] = new ModelInputState("run1.dim", "h1");
        var same = GoldInputState.FromJson(before.ToJson())!;
        var after = State(("silver.o", new() { ["a"] = 10 }));
        after.Models["dim"] = new ModelInputState("run2.dim", "h1");

        Assert.Empty(same.Differences(before));
        Assert.Equal(["dim"], after.Differences(before));
        Assert.Equal(["silver.o", "dim"], after.Differences(previous: null));
        Assert.Equal(before.ToJson(), same.ToJson());
    }

    private static GoldInputState State(params (string Key, Dictionary<string, long> Lineage)[] sources)
    {
        var state = new GoldInputState();
        foreach (var (key, lineage) in sources)
        {
            state.Sources[key] = new SourceInputState { Rows = lineage.Values.Sum(), Lineage = new SortedDictionary<string, long>(lineage, StringComparer.Ordinal) };
        }

        return state;
    }
}
