using OpenTrace.Core.Documents;

namespace OpenTrace.Testing.Behaviours;

/// <summary>
/// What every <see cref="IDocumentStore"/> must do, whatever it talks to. Derive a test class per adapter and
/// implement <see cref="CreateStoreAsync"/>; every fact here then runs against that adapter. Update times are compared
/// for order and equality only. Each test uses its own <see cref="Collection"/>, so one emulator can be shared.
/// </summary>
public abstract class DocumentStoreBehaviour : PortBehaviour<IDocumentStore>
{
    /// <summary>A collection name unique to this test.</summary>
    protected string Collection { get; } = $"behaviour_{Guid.NewGuid():N}";

    [Fact]
    public async Task Create_WhenAbsent_StoresTheDocument()
    {
        var created = await Store.CreateAsync(Collection, "order-1", Fields(("status", "new"), ("items", 3L)), Ct);
        var read = await Store.GetAsync(Collection, "order-1", Ct);

        Assert.NotNull(created);
        Assert.NotNull(read);
        Assert.Equal(Collection, read.Collection);
        Assert.Equal("order-1", read.Id);
        Assert.Equal("new", read.Fields["status"]);
        Assert.Equal(3L, read.Fields["items"]);
        Assert.Equal(created.UpdateTime, read.UpdateTime);
        Assert.Equal(read.CreateTime, read.UpdateTime);
        Assert.Equal(TimeSpan.Zero, read.UpdateTime.Offset);
    }

    [Fact]
    public async Task Create_WhenPresent_ReturnsNull_AndKeepsTheOriginal()
    {
        var original = await Store.CreateAsync(Collection, "c", Fields(("owner", "first")), Ct);

        var second = await Store.CreateAsync(Collection, "c", Fields(("owner", "second")), Ct);

        Assert.Null(second);
        var read = await Store.GetAsync(Collection, "c", Ct);
        Assert.Equal("first", read?.Fields["owner"]);
        Assert.Equal(original?.UpdateTime, read?.UpdateTime);
    }

    [Fact]
    public async Task ConcurrentCreates_ExactlyOneSucceeds()
    {
        var outcomes = await Concurrently.RunAsync(8, i => Store.CreateAsync(Collection, "claim", Fields(("owner", $"run {i}")), Ct));

        Assert.All(outcomes, o => Assert.Null(o.Error));
        var winner = Assert.Single(outcomes, o => o.Result is not null);
        Assert.Equal($"run {winner.Index}", (await Store.GetAsync(Collection, "claim", Ct))?.Fields["owner"]);
    }

    [Fact]
    public async Task Create_AfterDelete_Succeeds()
    {
        await Store.CreateAsync(Collection, "again", Fields(("v", 1L)), Ct);
        await Store.DeleteAsync(Collection, "again", Ct);

        var recreated = await Store.CreateAsync(Collection, "again", Fields(("v", 2L)), Ct);

        Assert.NotNull(recreated);
        Assert.Equal(2L, (await Store.GetAsync(Collection, "again", Ct))?.Fields["v"]);
    }

    [Fact]
    public async Task Get_Missing_ReturnsNull()
    {
        Assert.Null(await Store.GetAsync(Collection, "missing", Ct));
    }

    [Fact]
    public async Task Replace_WithCurrentUpdateTime_ReplacesAllFields_AndAdvancesTheUpdateTime()
    {
        var created = await Store.CreateAsync(Collection, "r", Fields(("state", "running"), ("only_before", true)), Ct);
        Assert.NotNull(created);

        var replaced = await Store.ReplaceAsync(Collection, "r", Fields(("state", "done")), created.UpdateTime, Ct);

        Assert.NotNull(replaced);
        Assert.True(replaced.UpdateTime > created.UpdateTime, $"{replaced.UpdateTime:O} is not after {created.UpdateTime:O}");
        var read = await Store.GetAsync(Collection, "r", Ct);
        Assert.NotNull(read);
        Assert.Equal("done", read.Fields["state"]);
        Assert.False(read.Fields.ContainsKey("only_before"), "a replace keeps no field of the old document");
        Assert.Equal(created.CreateTime, read.CreateTime);
        Assert.Equal(replaced.UpdateTime, read.UpdateTime);
    }

    [Fact]
    public async Task Replace_WithStaleUpdateTime_ReturnsNull_AndKeepsTheFields()
    {
        var created = await Store.CreateAsync(Collection, "s", Fields(("v", 1L)), Ct);
        Assert.NotNull(created);
        var current = await Store.ReplaceAsync(Collection, "s", Fields(("v", 2L)), created.UpdateTime, Ct);
        Assert.NotNull(current);

        var stale = await Store.ReplaceAsync(Collection, "s", Fields(("v", 3L)), created.UpdateTime, Ct);

        Assert.Null(stale);
        var read = await Store.GetAsync(Collection, "s", Ct);
        Assert.Equal(2L, read?.Fields["v"]);
        Assert.Equal(current.UpdateTime, read?.UpdateTime);
    }

    [Fact]
    public async Task Replace_Missing_ReturnsNull_AndCreatesNothing()
    {
        var other = await Store.CreateAsync(Collection, "other", Fields(("v", 1L)), Ct);
        Assert.NotNull(other);

        Assert.Null(await Store.ReplaceAsync(Collection, "absent", Fields(("v", 2L)), other.UpdateTime, Ct));

        Assert.Null(await Store.GetAsync(Collection, "absent", Ct));
    }

    [Fact]
    public async Task ConcurrentReplaces_WithTheSameUpdateTime_ExactlyOneSucceeds()
    {
        var created = await Store.CreateAsync(Collection, "lease", Fields(("owner", "none")), Ct);
        Assert.NotNull(created);

        var outcomes = await Concurrently.RunAsync(8, i => Store.ReplaceAsync(Collection, "lease", Fields(("owner", $"run {i}")), created.UpdateTime, Ct));

        Assert.All(outcomes, o => Assert.Null(o.Error));
        var winner = Assert.Single(outcomes, o => o.Result is not null);
        Assert.Equal($"run {winner.Index}", (await Store.GetAsync(Collection, "lease", Ct))?.Fields["owner"]);
    }

    [Fact]
    public async Task ReplacesInQuickSuccession_GiveStrictlyIncreasingUpdateTimes()
    {
        var current = await Store.CreateAsync(Collection, "quick", Fields(("n", 0L)), Ct);
        Assert.NotNull(current);

        for (var n = 1L; n <= 5; n++)
        {
            var next = await Store.ReplaceAsync(Collection, "quick", Fields(("n", n)), current.UpdateTime, Ct);
            Assert.NotNull(next);
            Assert.True(next.UpdateTime > current.UpdateTime, $"replace {n}: {next.UpdateTime:O} is not after {current.UpdateTime:O}");
            current = next;
        }
    }

    [Fact]
    public async Task WriteBatch_AppliesUpsertsAndDeletes()
    {
        await Store.CreateAsync(Collection, "keep", Fields(("v", 1L), ("old", "x")), Ct);
        await Store.CreateAsync(Collection, "drop", Fields(("v", 1L)), Ct);

        await Store.WriteBatchAsync(
        [
            DocumentWrite.Upsert(Collection, "keep", Fields(("v", 2L))),
            DocumentWrite.Upsert(Collection, "fresh", Fields(("v", 3L))),
            DocumentWrite.Delete(Collection, "drop"),
        ], Ct);

        var keep = await Store.GetAsync(Collection, "keep", Ct);
        Assert.Equal(2L, keep?.Fields["v"]);
        Assert.False(keep?.Fields.ContainsKey("old"), "an upsert replaces the whole document");
        Assert.Equal(3L, (await Store.GetAsync(Collection, "fresh", Ct))?.Fields["v"]);
        Assert.Null(await Store.GetAsync(Collection, "drop", Ct));
    }

    [Fact]
    public async Task WriteBatch_WithAnInvalidWrite_AppliesNothing()
    {
        await Store.CreateAsync(Collection, "survivor", Fields(("v", 1L)), Ct);

        // A document id cannot contain '/': the third write is refused, so the first two must not happen either.
        await Assert.ThrowsAnyAsync<Exception>(() => Store.WriteBatchAsync(
        [
            DocumentWrite.Upsert(Collection, "first", Fields(("v", 1L))),
            DocumentWrite.Delete(Collection, "survivor"),
            DocumentWrite.Upsert(Collection, "bad/id", Fields(("v", 1L))),
        ], Ct));

        Assert.Null(await Store.GetAsync(Collection, "first", Ct));
        Assert.NotNull(await Store.GetAsync(Collection, "survivor", Ct));
    }

    [Fact]
    public async Task GetMany_ReturnsOneEntryPerIdInOrder_WithNullForMissing()
    {
        await Store.CreateAsync(Collection, "a", Fields(("n", 1L)), Ct);
        await Store.CreateAsync(Collection, "b", Fields(("n", 2L)), Ct);

        var found = await Store.GetManyAsync(Collection, ["b", "missing", "a", "also-missing"], Ct);

        Assert.Equal(4, found.Count);
        Assert.Equal("b", found[0]?.Id);
        Assert.Equal(2L, found[0]?.Fields["n"]);
        Assert.Null(found[1]);
        Assert.Equal("a", found[2]?.Id);
        Assert.Null(found[3]);
    }

    [Fact]
    public async Task GetMany_NoIds_ReturnsEmpty()
    {
        Assert.Empty(await Store.GetManyAsync(Collection, [], Ct));
    }

    [Fact]
    public async Task Delete_Existing_ReturnsTrue_AndMissing_ReturnsFalse()
    {
        await Store.CreateAsync(Collection, "d", Fields(("v", 1L)), Ct);

        Assert.True(await Store.DeleteAsync(Collection, "d", Ct));
        Assert.Null(await Store.GetAsync(Collection, "d", Ct));
        Assert.False(await Store.DeleteAsync(Collection, "d", Ct));
    }

    [Fact]
    public async Task Collections_AreSeparate()
    {
        var other = Collection + "_other";
        await Store.CreateAsync(Collection, "same-id", Fields(("where", "first")), Ct);

        Assert.NotNull(await Store.CreateAsync(other, "same-id", Fields(("where", "second")), Ct));

        Assert.Equal("first", (await Store.GetAsync(Collection, "same-id", Ct))?.Fields["where"]);
        Assert.Equal("second", (await Store.GetAsync(other, "same-id", Ct))?.Fields["where"]);
    }

    [Fact]
    public async Task FieldsOfEveryType_RoundTripExactly()
    {
        var timestamp = new DateTimeOffset(2024, 2, 29, 23, 59, 59, TimeSpan.Zero).AddTicks(1_234_560); // .123456 s
        var fields = new Dictionary<string, object?>
        {
            ["text"] = "héllo \"quoted\" \\ \n tab\t 🚀",
            ["empty_text"] = "",
            ["long_max"] = long.MaxValue,
            ["long_min"] = long.MinValue,
            ["zero"] = 0L,
            ["double"] = 0.1,
            ["whole_double"] = 2.0,
            ["tiny_double"] = -4.9e-324,
            ["huge_double"] = double.MaxValue,
            ["nan"] = double.NaN,
            ["infinity"] = double.PositiveInfinity,
            ["true"] = true,
            ["false"] = false,
            ["timestamp"] = timestamp,
            ["bytes"] = new byte[] { 0, 1, 127, 128, 255 },
            ["null"] = null,
            ["list"] = new object?[] { "a", 1L, 2.5, true, null, timestamp, new byte[] { 9 }, new Dictionary<string, object?> { ["k"] = "v" } },
            ["empty_list"] = Array.Empty<object?>(),
            ["map"] = new Dictionary<string, object?>
            {
                ["nested"] = new Dictionary<string, object?> { ["deep"] = 1L },
                ["numbers"] = new object?[] { 1L, 2L },
            },
            ["empty_map"] = new Dictionary<string, object?>(),
            ["with space"] = "s",
            ["dotted.name"] = "d",
            ["ünïcödé"] = "u",
        };

        var created = await Store.CreateAsync(Collection, "types", fields, Ct);
        var read = await Store.GetAsync(Collection, "types", Ct);
        var many = await Store.GetManyAsync(Collection, ["types"], Ct);

        Assert.NotNull(created);
        Assert.NotNull(read);
        AssertFieldsEqual(fields, created.Fields, "created");
        AssertFieldsEqual(fields, read.Fields, "read");
        AssertFieldsEqual(fields, many[0]!.Fields, "read many");
    }

    [Fact]
    public async Task IntegersOfOtherWidths_ComeBackAsLong_AndFloatsAsDouble()
    {
        await Store.CreateAsync(Collection, "widths", new Dictionary<string, object?>
        {
            ["int"] = 42,
            ["short"] = (short)-7,
            ["byte"] = (byte)200,
            ["float"] = 1.5f,
        }, Ct);

        var read = await Store.GetAsync(Collection, "widths", Ct);

        Assert.NotNull(read);
        Assert.Equal(42L, Assert.IsType<long>(read.Fields["int"]));
        Assert.Equal(-7L, Assert.IsType<long>(read.Fields["short"]));
        Assert.Equal(200L, Assert.IsType<long>(read.Fields["byte"]));
        Assert.Equal(1.5, Assert.IsType<double>(read.Fields["float"]));
    }

    [Fact]
    public async Task UpsertedFields_RoundTripThroughABatch()
    {
        var timestamp = new DateTimeOffset(2023, 1, 2, 3, 4, 5, TimeSpan.Zero).AddTicks(60);
        var fields = Fields(("when", timestamp), ("score", 0.75), ("tags", new object?[] { "x", "y" }));

        await Store.WriteBatchAsync([DocumentWrite.Upsert(Collection, "batched", fields)], Ct);

        var read = await Store.GetAsync(Collection, "batched", Ct);
        Assert.NotNull(read);
        AssertFieldsEqual(fields, read.Fields, "batched");
    }

    /// <summary>Builds a field dictionary.</summary>
    protected static Dictionary<string, object?> Fields(params (string Name, object? Value)[] fields) =>
        fields.ToDictionary(f => f.Name, f => f.Value);

    /// <summary>Asserts two field sets hold the same names, value types and values, recursively.</summary>
    protected static void AssertFieldsEqual(IReadOnlyDictionary<string, object?> expected, IReadOnlyDictionary<string, object?> actual, string path)
    {
        ArgumentNullException.ThrowIfNull(expected);
        ArgumentNullException.ThrowIfNull(actual);
        Assert.Equal(expected.Keys.Order(StringComparer.Ordinal), actual.Keys.Order(StringComparer.Ordinal));
        foreach (var (name, value) in expected)
        {
            AssertValueEqual(value, actual[name], $"{path}.{name}");
        }
    }

    private static void AssertValueEqual(object? expected, object? actual, string path)
    {
        switch (expected)
        {
            case null:
                Assert.True(actual is null, $"{path}: expected null, got {actual}");
                break;
            case byte[] bytes:
                Assert.True(actual is byte[], $"{path}: expected bytes, got {actual?.GetType().Name}");
                Assert.Equal(bytes, (byte[])actual!);
                break;
            case DateTimeOffset timestamp:
                var actualTimestamp = Assert.IsType<DateTimeOffset>(actual);
                Assert.True(timestamp == actualTimestamp, $"{path}: expected {timestamp:O}, got {actualTimestamp:O}");
                Assert.Equal(TimeSpan.Zero, actualTimestamp.Offset);
                break;
            case IReadOnlyDictionary<string, object?> map:
                var actualMap = actual as IReadOnlyDictionary<string, object?>;
                Assert.True(actualMap is not null, $"{path}: expected a map, got {actual?.GetType().Name}");
                AssertFieldsEqual(map, actualMap, path);
                break;
            case IReadOnlyList<object?> list:
                var actualList = actual as IReadOnlyList<object?>;
                Assert.True(actualList is not null, $"{path}: expected a list, got {actual?.GetType().Name}");
                Assert.Equal(list.Count, actualList.Count);
                for (var i = 0; i < list.Count; i++)
                {
                    AssertValueEqual(list[i], actualList[i], $"{path}[{i}]");
                }

                break;
            default:
                Assert.True(actual is not null && expected.GetType() == actual.GetType(), $"{path}: expected a {expected.GetType().Name}, got {actual?.GetType().Name ?? "null"}");
                Assert.True(expected.Equals(actual), $"{path}: expected {expected}, got {actual}");
                break;
        }
    }
}
