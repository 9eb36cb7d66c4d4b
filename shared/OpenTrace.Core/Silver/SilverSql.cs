using OpenTrace.Core.Warehouse;

namespace OpenTrace.Core.Silver;

/// <summary>
/// The SQL silver runs in the warehouse, rendered for BigQuery or DuckDB: the latest-wins MERGE, lineage deletes
/// and relationship checks. Values travel as <c>@name</c> parameters; identifiers are quoted per dialect.
/// </summary>
public static class SilverSql
{
    /// <summary>A quoted identifier.</summary>
    public static string Quote(SqlDialect dialect, string identifier)
    {
        ArgumentNullException.ThrowIfNull(identifier);
        return dialect == SqlDialect.BigQuery
            ? $"`{identifier.Replace("`", "\\`", StringComparison.Ordinal)}`"
            : $"\"{identifier.Replace("\"", "\"\"", StringComparison.Ordinal)}\"";
    }

    /// <summary>A quoted table reference.</summary>
    public static string Table(SqlDialect dialect, TableId table)
    {
        ArgumentNullException.ThrowIfNull(table);
        return dialect == SqlDialect.BigQuery
            ? Quote(dialect, $"{table.Dataset}.{table.Table}")
            : $"{Quote(dialect, table.Dataset)}.{Quote(dialect, table.Table)}";
    }

    /// <summary>
    /// Merges a staged file into its silver table, latest wins by key: a staged row replaces the current one when it
    /// comes from the same source file (a retry or a replay), or when it is newer — a higher ordering value (NULL is
    /// oldest), then a later bronze ingestion, then a later row. Unmatched keys are inserted. Target columns missing
    /// from the staged file are set to NULL on update. Running it twice changes nothing.
    /// </summary>
    /// <param name="dialect">The warehouse dialect.</param>
    /// <param name="target">The silver table.</param>
    /// <param name="staging">The staging table holding one file's rows (unique keys).</param>
    /// <param name="stagedColumns">The staging table's columns.</param>
    /// <param name="targetColumns">The silver table's columns (a superset of the staged ones).</param>
    /// <param name="key">The key columns (at least one).</param>
    /// <param name="orderBy">The ordering column, or null.</param>
    public static string Merge(SqlDialect dialect, TableId target, TableId staging, IReadOnlyList<string> stagedColumns, IReadOnlyList<string> targetColumns, IReadOnlyList<string> key, string? orderBy)
    {
        ArgumentNullException.ThrowIfNull(stagedColumns);
        ArgumentNullException.ThrowIfNull(targetColumns);
        ArgumentNullException.ThrowIfNull(key);
        if (key.Count == 0)
        {
            throw new ArgumentException("A merge needs key columns.", nameof(key));
        }

        string Q(string name) => Quote(dialect, name);
        string T(string name) => $"T.{Q(name)}";
        string S(string name) => $"S.{Q(name)}";

        var staged = new HashSet<string>(stagedColumns, StringComparer.OrdinalIgnoreCase);
        var on = string.Join(" AND ", key.Select(k => $"{T(k)} = {S(k)}"));
        var tieBreak = $"({S(Lineage.IngestedAt)} > {T(Lineage.IngestedAt)} OR ({S(Lineage.IngestedAt)} = {T(Lineage.IngestedAt)} AND {S(Lineage.RowNumber)} > {T(Lineage.RowNumber)}))";
        var newer = orderBy is null
            ? tieBreak
            : $"({S(orderBy)} > {T(orderBy)} OR ({T(orderBy)} IS NULL AND {S(orderBy)} IS NOT NULL)"
              + $" OR (({S(orderBy)} = {T(orderBy)} OR ({S(orderBy)} IS NULL AND {T(orderBy)} IS NULL)) AND {tieBreak}))";
        var set = string.Join(", ", targetColumns.Where(c => !key.Contains(c, StringComparer.OrdinalIgnoreCase))
            .Select(c => $"{Q(c)} = {(staged.Contains(c) ? S(c) : "NULL")}"));
        var insertColumns = string.Join(", ", stagedColumns.Select(Q));
        var insertValues = string.Join(", ", stagedColumns.Select(S));
        return $"MERGE INTO {Table(dialect, target)} AS T USING {Table(dialect, staging)} AS S ON {on}\n"
            + $"WHEN MATCHED AND ({S(Lineage.LineageId)} = {T(Lineage.LineageId)} OR {newer}) THEN UPDATE SET {set}\n"
            + $"WHEN NOT MATCHED THEN INSERT ({insertColumns}) VALUES ({insertValues})";
    }

    /// <summary>Appends a staged file to a table without a key (after <see cref="DeleteLineage"/>, so a retry does not duplicate).</summary>
    public static string InsertAll(SqlDialect dialect, TableId target, TableId staging, IReadOnlyList<string> stagedColumns)
    {
        ArgumentNullException.ThrowIfNull(stagedColumns);
        var columns = string.Join(", ", stagedColumns.Select(c => Quote(dialect, c)));
        return $"INSERT INTO {Table(dialect, target)} ({columns}) SELECT {columns} FROM {Table(dialect, staging)}";
    }

    /// <summary>Deletes the rows one source file contributed (parameter <c>@lineage</c>).</summary>
    public static string DeleteLineage(SqlDialect dialect, TableId table) =>
        $"DELETE FROM {Table(dialect, table)} WHERE {Quote(dialect, Lineage.LineageId)} = @lineage";

    /// <summary>Deletes every row of a table (a full replay rebuilds it).</summary>
    public static string DeleteAll(SqlDialect dialect, TableId table) =>
        $"DELETE FROM {Table(dialect, table)} WHERE TRUE";

    /// <summary>Deletes silver's quarantine records of one source file (parameter <c>@lineage</c>).</summary>
    public static string DeleteQuarantine(SqlDialect dialect, TableId quarantine) =>
        $"DELETE FROM {Table(dialect, quarantine)} WHERE {Quote(dialect, "layer")} = 'silver' AND {Quote(dialect, "lineage_id")} = @lineage";

    /// <summary>
    /// Counts, among one file's rows in <paramref name="child"/> (parameter <c>@lineage</c>) with a value in
    /// <paramref name="column"/>, how many have no match in <paramref name="parent"/>.<paramref name="parentColumn"/>.
    /// Returns one row: <c>checked</c>, <c>violations</c>, <c>example</c> (one orphan value, or NULL).
    /// </summary>
    public static string Orphans(SqlDialect dialect, TableId child, string column, TableId parent, string parentColumn)
    {
        var c = $"c.{Quote(dialect, column)}";
        return $"SELECT COUNT(*) AS {Quote(dialect, "checked")},"
            + $" SUM(CASE WHEN p.k IS NULL THEN 1 ELSE 0 END) AS {Quote(dialect, "violations")},"
            + $" MIN(CASE WHEN p.k IS NULL THEN CAST({c} AS {(dialect == SqlDialect.BigQuery ? "STRING" : "VARCHAR")}) END) AS {Quote(dialect, "example")}"
            + $" FROM {Table(dialect, child)} AS c"
            + $" LEFT JOIN (SELECT DISTINCT {Quote(dialect, parentColumn)} AS k FROM {Table(dialect, parent)}) AS p ON p.k = {c}"
            + $" WHERE c.{Quote(dialect, Lineage.LineageId)} = @lineage AND {c} IS NOT NULL";
    }
}
