using System.Diagnostics;
using OpenTrace.Core.Ops;
using OpenTrace.Core.Warehouse;
using OpenTrace.Embedded.Warehouse;
using OpenTrace.Testing;

namespace OpenTrace.Embedded.Tests.Warehouse;

public sealed class DuckDbWarehouseTests : WarehouseTestBase
{
    private static readonly TableId AllTypes = new("silver", "all_types");

    private static readonly TableSchema AllTypesSchema = new(AllTypes,
    [
        new("text", ColumnType.String, Nullable: false, Description: "some text"),
        new("count", ColumnType.Int64),
        new("ratio", ColumnType.Float64),
        new("price", ColumnType.Decimal, Precision: 18, Scale: 4),
        new("flag", ColumnType.Bool),
        new("day", ColumnType.Date),
        new("at", ColumnType.Timestamp),
        new("raw", ColumnType.Bytes),
        new("doc", ColumnType.Json),
        new("tags", ColumnType.String, Repeated: true),
        new("vector", ColumnType.Float64, Repeated: true),
    ], Description: "every column type");

    [Fact]
    public async Task EnsureTable_ThenGetTable_ReturnsTheSameSchema()
    {
        await Warehouse.EnsureTableAsync(AllTypesSchema, Ct);

        var read = await Warehouse.GetTableAsync(AllTypes, Ct);

        Assert.NotNull(read);
        Assert.Equal(AllTypesSchema.Columns, read.Columns);
        Assert.Equal("every column type", read.Description);
    }

    [Fact]
    public async Task GetTable_Missing_ReturnsNull()
    {
        Assert.Null(await Warehouse.GetTableAsync(new TableId("silver", "nothing"), Ct));
    }

    [Fact]
    public async Task EnsureTable_WithNewColumns_AddsThem_AndKeepsTheRows()
    {
        var table = new TableId("ops", "things");
        await Warehouse.EnsureTableAsync(new TableSchema(table, [new("id", ColumnType.String)]), Ct);
        await Warehouse.AppendRowsAsync(table, [Row(("id", "a"))], Ct);

        await Warehouse.EnsureTableAsync(new TableSchema(table, [new("id", ColumnType.String), new("n", ColumnType.Int64, Nullable: false)]), Ct);
        await Warehouse.EnsureTableAsync(new TableSchema(table, [new("id", ColumnType.String)]), Ct);

        var rows = await QueryAsync("SELECT id, n FROM ops.things");
        Assert.Equal("a", Assert.Single(rows)["id"]);
        Assert.Equal(["id", "n"], (await Warehouse.GetTableAsync(table, Ct))!.Columns.Select(c => c.Name));
    }

    [Fact]
    public async Task AppendRows_TypedValues_ComeBackAsPlainClrValues()
    {
        await Warehouse.EnsureTableAsync(AllTypesSchema, Ct);
        var at = new DateTimeOffset(2024, 5, 1, 14, 30, 15, TimeSpan.FromHours(2)).AddTicks(1_234_560);
        await Warehouse.AppendRowsAsync(AllTypes,
        [
            Row(
                ("text", "héllo"),
                ("count", long.MaxValue),
                ("ratio", 0.1),
                ("price", 12345.6789m),
                ("flag", true),
                ("day", new DateOnly(2024, 2, 29)),
                ("at", at),
                ("raw", new byte[] { 0, 1, 255 }),
                ("doc", "{\"a\": [1, 2]}"),
                ("tags", (IReadOnlyList<string>)["x", "y"]),
                ("vector", (IReadOnlyList<float>)[0.5f, 1.25f])),
            Row(("text", "ints and nulls"), ("count", 7), ("ratio", null), ("at", new DateTime(2024, 1, 1, 0, 0, 0, DateTimeKind.Utc)), ("vector", (IReadOnlyList<double>)[2.5])),
        ], Ct);

        var rows = await QueryAsync("SELECT * FROM silver.all_types ORDER BY text");

        var first = rows[0];
        Assert.Equal("héllo", first["text"]);
        Assert.Equal(long.MaxValue, first["count"]);
        Assert.Equal(0.1, first["ratio"]);
        Assert.Equal(12345.6789m, first["price"]);
        Assert.Equal(true, first["flag"]);
        Assert.Equal(new DateOnly(2024, 2, 29), first["day"]);
        var instant = Assert.IsType<DateTime>(first["at"]);
        Assert.Equal(DateTimeKind.Utc, instant.Kind);
        Assert.Equal(at.UtcDateTime, instant);
        Assert.Equal(new byte[] { 0, 1, 255 }, first["raw"]);
        Assert.Contains("\"a\"", Assert.IsType<string>(first["doc"]));
        Assert.Equal(["x", "y"], Assert.IsType<List<string>>(first["tags"]));
        Assert.Equal([0.5, 1.25], Assert.IsType<List<double>>(first["vector"]));
        var second = rows[1];
        Assert.Equal(7L, second["count"]);
        Assert.Null(second["ratio"]);
        Assert.Null(second["tags"]);
        Assert.Equal([2.5], Assert.IsType<List<double>>(second["vector"]));
    }

    [Fact]
    public async Task AppendRows_OpsRunRecord_IsWrittenThroughTheOpsLog()
    {
        var ops = new OpsLog(Warehouse);
        var started = new DateTimeOffset(2024, 5, 1, 12, 0, 0, TimeSpan.Zero);

        await ops.RecordRunAsync(new RunRecord
        {
            RunId = "r1",
            Function = "bronze",
            Status = RunStatus.Succeeded,
            RowsRead = 10,
            StartedAt = started,
            FinishedAt = started.AddSeconds(2),
            Warnings = ["encoding fell back to Windows-1252"],
        }, Ct);

        var run = Assert.Single(await QueryAsync("SELECT * FROM ops.runs"));
        Assert.Equal("bronze", run["function"]);
        Assert.Equal(2000L, run["duration_ms"]);
        Assert.Equal(["encoding fell back to Windows-1252"], run.Get<List<string>>("warnings"));
        Assert.Empty(Assert.IsType<List<string>>(run["outputs"]));
    }

    [Fact]
    public async Task AppendRows_UnknownColumn_ThrowsNamingIt()
    {
        await Warehouse.EnsureTableAsync(AllTypesSchema, Ct);

        var error = await Assert.ThrowsAsync<WarehouseException>(() => Warehouse.AppendRowsAsync(AllTypes, [Row(("text", "a"), ("colour", "red"))], Ct));

        Assert.Contains("colour", error.Message);
        Assert.Contains("silver.all_types", error.Message);
    }

    [Fact]
    public async Task AppendRows_AValueTheColumnCannotHold_ThrowsNamingTheRows_AndWritesNone()
    {
        await Warehouse.EnsureTableAsync(AllTypesSchema, Ct);

        var error = await Assert.ThrowsAsync<WarehouseException>(() => Warehouse.AppendRowsAsync(AllTypes, [Row(("text", "ok")), Row(("text", null))], Ct));

        Assert.Contains("silver.all_types", error.Message);
        Assert.Contains("rows 1-2", error.Message);
        Assert.Equal(0, await CountAsync("silver.all_types"));
    }

    [Fact]
    public async Task AppendRows_ToAMissingTable_ThrowsNamingIt()
    {
        var error = await Assert.ThrowsAsync<WarehouseException>(() => Warehouse.AppendRowsAsync(new TableId("ops", "nope"), [Row(("a", 1))], Ct));

        Assert.Contains("ops.nope", error.Message);
    }

    [Fact]
    public async Task Query_Parameters_AreBound_ButNotInsideLiteralsIdentifiersOrComments()
    {
        var rows = await QueryAsync(
            """
            SELECT @name AS "@name", '@name' AS literal, 'it''s @name' AS escaped, E'\'@name' AS e_string, @count + 1 AS next -- @name in a comment
            /* and @name here */
            """,
            new Dictionary<string, object?> { ["name"] = "ann", ["COUNT"] = 41L });

        var row = Assert.Single(rows);
        Assert.Equal("ann", row["@name"]);
        Assert.Equal("@name", row["literal"]);
        Assert.Equal("it's @name", row["escaped"]);
        Assert.Equal("'@name", row["e_string"]);
        Assert.Equal(42L, row["next"]);
    }

    [Fact]
    public async Task Query_ParametersOfEveryType_AreBound()
    {
        var at = new DateTimeOffset(2024, 5, 1, 14, 0, 0, TimeSpan.FromHours(-3));

        var row = Assert.Single(await QueryAsync(
            "SELECT @d * 2 AS d, @day AS day, @at AS at, @tags AS tags, @nothing IS NULL AS is_null, @flag AS flag",
            new Dictionary<string, object?> { ["d"] = 1.25m, ["day"] = new DateOnly(2024, 1, 2), ["at"] = at, ["tags"] = new[] { "a", "b" }, ["nothing"] = null, ["flag"] = false }));

        Assert.Equal(2.50m, row["d"]);
        Assert.Equal(new DateOnly(2024, 1, 2), row["day"]);
        Assert.Equal(at.UtcDateTime, row["at"]);
        Assert.Equal(["a", "b"], Assert.IsType<List<string>>(row["tags"]));
        Assert.Equal(true, row["is_null"]);
        Assert.Equal(false, row["flag"]);
    }

    [Fact]
    public async Task Query_AParameterWithoutAValue_ThrowsNamingIt()
    {
        var error = await Assert.ThrowsAsync<WarehouseException>(() => QueryAsync("SELECT @missing AS x"));

        Assert.Contains("@missing", error.Message);
    }

    [Fact]
    public async Task Query_DuckDbTypes_ComeBackAsPlainClrTypes()
    {
        var row = Assert.Single(await QueryAsync(
            """
            SELECT sum(x) AS total, 2::INTEGER AS small, 3::HUGEINT AS huge, 1.5::REAL AS single,
                   DATE '2024-02-29' AS day, TIMESTAMP '2024-01-02 03:04:05.123456' AS at,
                   TIMESTAMPTZ '2024-01-02 03:04:05+02' AS at_tz, 'ab'::BLOB AS raw,
                   [1, NULL]::BIGINT[] AS with_null, [1, 2]::INTEGER[] AS ints, {'k': 1} AS record, NULL AS nothing
            FROM range(4) t(x)
            """));

        Assert.Equal(6L, row["total"]);
        Assert.Equal(2L, row["small"]);
        Assert.Equal(3L, row["huge"]);
        Assert.Equal(1.5, row["single"]);
        Assert.Equal(new DateOnly(2024, 2, 29), row["day"]);
        Assert.Equal(new DateTime(2024, 1, 2, 3, 4, 5, DateTimeKind.Utc).AddTicks(1_234_560), row["at"]);
        Assert.Equal(DateTimeKind.Utc, Assert.IsType<DateTime>(row["at"]).Kind);
        Assert.Equal(new DateTime(2024, 1, 2, 1, 4, 5, DateTimeKind.Utc), row["at_tz"]);
        Assert.Equal("ab"u8.ToArray(), row["raw"]);
        Assert.Equal([1L, null], Assert.IsType<List<long?>>(row["with_null"]));
        Assert.Equal([1L, 2L], Assert.IsType<List<long>>(row["ints"]));
        Assert.Equal(1L, Assert.IsType<Dictionary<string, object?>>(row["record"])["k"]);
        Assert.Null(row["nothing"]);
    }

    [Fact(Timeout = 30_000)]
    public async Task Query_StreamsRows_InsteadOfMaterialisingTheResult()
    {
        // A billion rows would not fit in memory if the result were materialised before the first row.
        var stopwatch = Stopwatch.StartNew();
        var seen = 0;
        await foreach (var row in Warehouse.QueryAsync("SELECT range AS n FROM range(1000000000)", cancellationToken: Ct))
        {
            Assert.Equal((long)seen, row["n"]);
            if (++seen == 3)
            {
                break;
            }
        }

        Assert.Equal(3, seen);
        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(10), $"the first rows took {stopwatch.Elapsed}");
    }

    [Fact]
    public async Task Execute_ReturnsTheRowsAffected()
    {
        await Warehouse.ExecuteAsync("CREATE SCHEMA gold; CREATE TABLE gold.kpi AS SELECT range AS n FROM range(10)", cancellationToken: Ct);

        var affected = await Warehouse.ExecuteAsync("UPDATE gold.kpi SET n = n + 100 WHERE n < @limit", new Dictionary<string, object?> { ["limit"] = 4 }, Ct);

        Assert.Equal(4, affected);
        Assert.Equal(4, (long)Assert.Single(await QueryAsync("SELECT count(*) AS c FROM gold.kpi WHERE n >= 100"))["c"]!);
    }

    [Fact]
    public async Task BadSql_ThrowsWarehouseException_WithDuckDbsMessage()
    {
        var error = await Assert.ThrowsAsync<WarehouseException>(() => QueryAsync("SELECT * FROM silver.no_such_table"));

        Assert.Contains("no_such_table", error.Message);
        Assert.Equal("Catalog", error.Reason);
        Assert.False(error.IsTransient);
    }

    [Fact]
    public async Task ConcurrentQueriesAndAppends_FromManyCallers_AllSucceed()
    {
        var table = new TableId("ops", "events");
        await Warehouse.EnsureTableAsync(new TableSchema(table, [new("caller", ColumnType.Int64), new("n", ColumnType.Int64)]), Ct);

        var outcomes = await Concurrently.RunAsync(8, async caller =>
        {
            for (var n = 0; n < 10; n++)
            {
                await Warehouse.AppendRowsAsync(table, [Row(("caller", caller), ("n", n))], Ct);
                var mine = await QueryAsync("SELECT count(*) AS c FROM ops.events WHERE caller = @caller", new Dictionary<string, object?> { ["caller"] = caller });
                Assert.Equal(n + 1L, mine.Single()["c"]);
            }

            return caller;
        });

        Assert.All(outcomes, o => Assert.Null(o.Error));
        Assert.Equal(80, await CountAsync("ops.events"));
    }

    [Fact]
    public async Task ConcurrentEnsureTableCalls_ForManyTables_AllSucceed()
    {
        var outcomes = await Concurrently.RunAsync(6, async i =>
        {
            await Warehouse.EnsureDatasetAsync("features", Ct);
            await Warehouse.EnsureTableAsync(new TableSchema(new TableId("features", $"group_{i % 3}"), [new("id", ColumnType.String), new($"f{i}", ColumnType.Float64)]), Ct);
            return i;
        });

        Assert.All(outcomes, o => Assert.Null(o.Error));
        Assert.Equal(3, (await Warehouse.GetTableAsync(new TableId("features", "group_0"), Ct))!.Columns.Count);
    }

    [Fact]
    public async Task ExtensionAutoInstallAndAutoLoad_AreOff()
    {
        var row = Assert.Single(await QueryAsync("SELECT current_setting('autoinstall_known_extensions') AS install, current_setting('autoload_known_extensions') AS load"));

        Assert.Equal(false, row["install"]);
        Assert.Equal(false, row["load"]);
    }

    [Fact]
    public async Task MemoryLimit_IsAppliedToTheDatabase()
    {
        await using var limited = new DuckDbWarehouse(Home.Combine("limited.duckdb"), memoryLimit: "200MB");

        var limit = new List<object?>();
        await foreach (var row in limited.QueryAsync("SELECT current_setting('memory_limit') AS m", cancellationToken: Ct))
        {
            limit.Add(row["m"]);
        }

        Assert.Equal(["190.7 MiB"], limit);
    }

    [Fact]
    public async Task OpenReadOnly_MissingFile_ThrowsNamingIt()
    {
        var path = Home.Combine("nowhere.duckdb");

        var error = await Assert.ThrowsAsync<WarehouseException>(() => DuckDbWarehouse.OpenReadOnlyAsync(path, Ct));

        Assert.Contains(path, error.Message);
        Assert.False(File.Exists(path));
    }

    [Fact]
    public async Task OpenReadOnly_ReadsWhatWasWritten_AndRefusesWrites()
    {
        var path = Home.Combine("shared.duckdb");
        await using (var writer = new DuckDbWarehouse(path))
        {
            await writer.ExecuteAsync("CREATE TABLE main.t AS SELECT 42 AS answer", cancellationToken: Ct);
        }

        await using var reader = await DuckDbWarehouse.OpenReadOnlyAsync(path, Ct);
        var answers = new List<object?>();
        await foreach (var row in reader.QueryAsync("SELECT answer FROM main.t", cancellationToken: Ct))
        {
            answers.Add(row["answer"]);
        }

        Assert.Equal([42L], answers);
        await Assert.ThrowsAsync<WarehouseException>(() => reader.ExecuteAsync("INSERT INTO main.t VALUES (1)", cancellationToken: Ct));
    }

    [Fact]
    public async Task AFileLockedByAnotherProcess_IsReportedAsSuch()
    {
        var python = FindOnPath("python3");
        if (python is null)
        {
            Assert.Skip("python3 is not on PATH; it holds the file lock from a second process in this test.");
        }

        var path = Home.Combine("locked.duckdb");
        await using (var create = new DuckDbWarehouse(path))
        {
            await create.EnsureDatasetAsync("ops", Ct);
        }

        // DuckDB locks its file with fcntl; so does Python's lockf, from another process.
        using var holder = Process.Start(new ProcessStartInfo(python, ["-c", "import fcntl,sys; f=open(sys.argv[1],'r+b'); fcntl.lockf(f, fcntl.LOCK_EX); print('locked', flush=True); sys.stdin.read()", path])
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
        })!;
        try
        {
            Assert.Equal("locked", await holder.StandardOutput.ReadLineAsync(Ct));
            await using var blocked = new DuckDbWarehouse(path);

            var error = await Assert.ThrowsAsync<WarehouseException>(() => blocked.EnsureDatasetAsync("ops", Ct));

            Assert.Contains(path, error.Message);
            Assert.Contains("another opentrace process is using it", error.Message);
            Assert.Equal("locked", error.Reason);
        }
        finally
        {
            holder.StandardInput.Close();
            await holder.WaitForExitAsync(Ct);
        }
    }

    private static Dictionary<string, object?> Row(params (string Name, object? Value)[] values) =>
        values.ToDictionary(v => v.Name, v => v.Value);

    private static string? FindOnPath(string program) =>
        (Environment.GetEnvironmentVariable("PATH") ?? string.Empty)
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(folder => Path.Combine(folder, program))
            .FirstOrDefault(File.Exists);
}
