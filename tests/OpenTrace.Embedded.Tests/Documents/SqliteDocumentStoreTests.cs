using Microsoft.Data.Sqlite;
using OpenTrace.Embedded.Documents;
using OpenTrace.Testing;

namespace OpenTrace.Embedded.Tests.Documents;

public sealed class SqliteDocumentStoreTests : IDisposable
{
    private readonly TempDirectory _home = new("opentrace-sqlite");

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private string DatabasePath => _home.Combine("online.sqlite");

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        _home.Dispose();
    }

    [Fact]
    public async Task TheFile_IsInWalMode()
    {
        using var store = new SqliteDocumentStore(DatabasePath);
        await store.CreateAsync("c", "d", new Dictionary<string, object?> { ["v"] = 1L }, Ct);

        await using var connection = new SqliteConnection($"Data Source={DatabasePath};Pooling=False");
        await connection.OpenAsync(Ct);
        await using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA journal_mode";

        Assert.Equal("wal", await command.ExecuteScalarAsync(Ct));
    }

    [Fact]
    public void Constructing_TouchesNoFile()
    {
        using var store = new SqliteDocumentStore(_home.Combine("later", "online.sqlite"));

        Assert.False(Directory.Exists(_home.Combine("later")));
    }

    [Fact]
    public async Task UpdateTimes_StrictlyIncrease_WhileTheClockStandsStill()
    {
        var clock = new ManualTimeProvider();
        using var store = new SqliteDocumentStore(DatabasePath, clock);
        var current = await store.CreateAsync("c", "d", new Dictionary<string, object?> { ["n"] = 0L }, Ct);
        var times = new List<DateTimeOffset> { current!.UpdateTime };

        for (var n = 1L; n <= 3; n++)
        {
            current = await store.ReplaceAsync("c", "d", new Dictionary<string, object?> { ["n"] = n }, current!.UpdateTime, Ct);
            times.Add(current!.UpdateTime);
        }

        Assert.Equal(clock.GetUtcNow(), times[0]);
        Assert.Equal(times.Order(), times);
        Assert.Equal(times.Count, times.Distinct().Count());
    }

    [Fact]
    public async Task UpdateTimes_StayAheadOfAnotherWriterWhoseClockIsBehind()
    {
        // A second store (another process) whose clock is an hour behind still moves the update time forward.
        using var ahead = new SqliteDocumentStore(DatabasePath, new ManualTimeProvider(new DateTimeOffset(2024, 5, 1, 13, 0, 0, TimeSpan.Zero)));
        using var behind = new SqliteDocumentStore(DatabasePath, new ManualTimeProvider(new DateTimeOffset(2024, 5, 1, 12, 0, 0, TimeSpan.Zero)));
        var created = await ahead.CreateAsync("c", "d", new Dictionary<string, object?> { ["v"] = 1L }, Ct);

        var replaced = await behind.ReplaceAsync("c", "d", new Dictionary<string, object?> { ["v"] = 2L }, created!.UpdateTime, Ct);

        Assert.NotNull(replaced);
        Assert.True(replaced.UpdateTime > created.UpdateTime);
    }

    [Fact]
    public async Task TwoStoresOnOneFile_ConcurrentCreates_ExactlyOneSucceeds()
    {
        using var first = new SqliteDocumentStore(DatabasePath);
        using var second = new SqliteDocumentStore(DatabasePath);
        SqliteDocumentStore[] stores = [first, second];

        var outcomes = await Concurrently.RunAsync(10, i => stores[i % 2].CreateAsync("claims", "key", new Dictionary<string, object?> { ["owner"] = i.ToString() }, Ct));

        Assert.All(outcomes, o => Assert.Null(o.Error));
        Assert.Single(outcomes, o => o.Result is not null);
    }

    [Fact]
    public async Task Documents_SurviveReopeningTheFile()
    {
        var at = new DateTimeOffset(2024, 1, 1, 0, 0, 0, TimeSpan.Zero).AddTicks(10);
        using (var writer = new SqliteDocumentStore(DatabasePath))
        {
            await writer.CreateAsync("c", "d", new Dictionary<string, object?> { ["at"] = at, ["big"] = long.MaxValue }, Ct);
        }

        using var reader = new SqliteDocumentStore(DatabasePath);
        var read = await reader.GetAsync("c", "d", Ct);

        Assert.Equal(at, read!.Fields["at"]);
        Assert.Equal(long.MaxValue, read.Fields["big"]);
    }

    [Fact]
    public async Task AValueOfAnUnsupportedType_IsRejected_NamingTheField()
    {
        using var store = new SqliteDocumentStore(DatabasePath);

        var error = await Assert.ThrowsAsync<ArgumentException>(() => store.CreateAsync("c", "d", new Dictionary<string, object?>
        {
            ["ok"] = 1L,
            ["order"] = new Dictionary<string, object?> { ["price"] = 9.99m },
        }, Ct));

        Assert.Contains("order.price", error.Message);
        Assert.Contains("System.Decimal", error.Message);
        Assert.Null(await store.GetAsync("c", "d", Ct));
    }

    [Theory]
    [InlineData("a/b")]
    [InlineData(".")]
    [InlineData("..")]
    public async Task InvalidIds_AreRejected(string id)
    {
        using var store = new SqliteDocumentStore(DatabasePath);

        await Assert.ThrowsAsync<ArgumentException>(() => store.CreateAsync("c", id, new Dictionary<string, object?>(), Ct));
        await Assert.ThrowsAsync<ArgumentException>(() => store.GetAsync(id, "d", Ct));
    }
}
