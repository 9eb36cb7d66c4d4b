using System.Text;
using OpenTrace.Core.Gold;
using OpenTrace.Core.Training;
using OpenTrace.Core.Warehouse;

namespace OpenTrace.Core.Features;

/// <summary>
/// Renders the feature store's SQL for one dialect through gold's renderer (<c>ref</c>, <c>source</c> and the dialect
/// macros), so one query runs on BigQuery and DuckDB. Pure: definitions in, SQL text out. Statements take the named
/// parameters they document (<c>@from</c>, <c>@watermark</c>, <c>@now</c>, <c>@since</c>).
/// </summary>
public sealed class FeatureSql
{
    /// <summary>Column of <see cref="Changes"/> counting rows whose event time is at or before the watermark (late or corrected).</summary>
    public const string LateColumn = "_late";

    /// <summary>Prefix of the columns <see cref="PointInTime"/> adds per group: <c>&lt;group&gt;__&lt;feature&gt;</c>.</summary>
    public const string GroupSeparator = "__";

    /// <summary>Suffix of the column saying whether a group had a row at or before the event (<c>&lt;group&gt;__present</c>).</summary>
    public const string PresentSuffix = "present";

    /// <summary>Relative tolerance under which two float values are the same when comparing recomputed history with stored rows.</summary>
    public const double FloatTolerance = 1e-9;

    private readonly GoldSql _sql;

    /// <summary>Creates a renderer for <paramref name="dialect"/>.</summary>
    public FeatureSql(SqlDialect dialect)
    {
        _sql = new GoldSql(GoldProject.Empty, dialect);
    }

    /// <summary>The dialect rendered.</summary>
    public SqlDialect Dialect => _sql.Dialect;

    /// <summary>A quoted table name.</summary>
    public string Table(TableId table) => _sql.Table(table);

    /// <summary>A quoted column name.</summary>
    public string Column(string name) => _sql.Column(name);

    /// <summary>The group's whole history: its query with every column cast to the declared type.</summary>
    public string History(FeatureGroup group)
    {
        ArgumentNullException.ThrowIfNull(group);
        return _sql.Select(group.AsModel());
    }

    /// <summary>
    /// The rows a materialisation writes: the history with event times after <c>@from</c> (all when
    /// <paramref name="window"/> has no start), less the rows the offline table already holds with the same values
    /// (so a retry or a recomputed window writes nothing twice), with <c>created_at</c>: the event time for rows after
    /// <c>@watermark</c> (or all, on a first build), <c>@now</c> for late or corrected rows at or before it. Adds
    /// <see cref="LateColumn"/> (1 for those, else 0).
    /// </summary>
    public string Changes(FeatureGroup group, ChangeWindow window)
    {
        ArgumentNullException.ThrowIfNull(group);
        ArgumentNullException.ThrowIfNull(window);
        var ts = Column(FeatureGroup.EventTimestampColumn);
        var entity = Column(group.EntityColumn);
        var fromFilter = window.HasStart ? $"\n  WHERE h.{ts} > @from" : string.Empty;
        var sql = new StringBuilder();
        sql.Append("WITH history AS (\n  SELECT h.* FROM (\n").Append(Indent(History(group), 4)).Append("\n  ) AS h").Append(fromFilter).Append("\n)");
        var afterWatermark = window.HasWatermark ? $"w.{ts} > @watermark" : "TRUE";
        var createdAt = window.HasWatermark ? $"CASE WHEN {afterWatermark} THEN w.{ts} ELSE @now END" : $"w.{ts}";
        var late = window.HasWatermark ? $"CASE WHEN {afterWatermark} THEN 0 ELSE 1 END" : "0";
        var columns = string.Join(", ", ValueColumns(group).Select(c => "w." + Column(c)));
        if (!window.CompareExisting)
        {
            return sql.Append($"\nSELECT {columns}, {createdAt} AS {Column(FeatureGroup.CreatedAtColumn)}, {late} AS {Column(LateColumn)}\nFROM history AS w").ToString();
        }

        var existingFilter = window.HasStart ? $"\n    WHERE s.{ts} > @from" : string.Empty;
        sql.Append(",\nstored AS (\n  SELECT s.*, ROW_NUMBER() OVER (PARTITION BY s.").Append(entity).Append(", s.").Append(ts)
            .Append($" ORDER BY s.{Column(FeatureGroup.CreatedAtColumn)} DESC, s.{Column(FeatureGroup.MaterializedAtColumn)} DESC) AS {Column("_recency")}\n")
            .Append($"  FROM {Table(group.OfflineTable)} AS s{existingFilter}\n)");
        var same = string.Join("\n    AND ", group.Features.Select(f => Same(f)));
        sql.Append($"\nSELECT {columns}, {createdAt} AS {Column(FeatureGroup.CreatedAtColumn)}, {late} AS {Column(LateColumn)}\nFROM history AS w\n")
            .Append($"LEFT JOIN stored AS e\n  ON e.{entity} = w.{entity} AND e.{ts} = w.{ts} AND e.{Column("_recency")} = 1\n")
            .Append($"WHERE e.{entity} IS NULL\n  OR NOT (\n    {same}\n  )");
        return sql.ToString();
    }

    /// <summary>
    /// The online value of every entity with rows written after <c>@since</c> (every entity when
    /// <paramref name="sinceFilter"/> is false): its row with the latest event time (then the latest created_at).
    /// With <paramref name="fromFilter"/>, only rows with event times after <c>@from</c> are looked at for the entities
    /// touched (all rows written since then have such event times), so the warehouse prunes older partitions.
    /// </summary>
    public string LatestPerEntity(FeatureGroup group, bool sinceFilter, bool fromFilter = false)
    {
        ArgumentNullException.ThrowIfNull(group);
        var entity = Column(group.EntityColumn);
        var table = Table(group.OfflineTable);
        var from = fromFilter ? $" AND t.{Column(FeatureGroup.EventTimestampColumn)} > @from" : string.Empty;
        var touched = sinceFilter
            ? $"\n  WHERE g.{entity} IN (SELECT DISTINCT t.{entity} FROM {table} AS t WHERE t.{Column(FeatureGroup.MaterializedAtColumn)} > @since{from})"
            : string.Empty;
        var columns = string.Join(", ", ValueColumns(group).Append(FeatureGroup.CreatedAtColumn).Select(c => "r." + Column(c)));
        return $"SELECT {columns}\nFROM (\n  SELECT g.*, ROW_NUMBER() OVER (PARTITION BY g.{entity} ORDER BY g.{Column(FeatureGroup.EventTimestampColumn)} DESC, g.{Column(FeatureGroup.CreatedAtColumn)} DESC) AS {Column("_recency")}\n" +
            $"  FROM {table} AS g{touched}\n) AS r\nWHERE r.{Column("_recency")} = 1";
    }

    /// <summary>
    /// A training set: every row of the task's labels query with, for each joined group, the group's latest row whose
    /// event time AND created_at are at or before the label's event time (never a value from after the event, never a
    /// row written after it even if its event time is earlier). Adds per group <c>&lt;group&gt;__present</c> (1 when a
    /// row matched), <c>&lt;group&gt;__event_timestamp</c> and <c>&lt;group&gt;__&lt;feature&gt;</c> for the features used
    /// (and the baseline feature).
    /// Ordered by event time, then key.
    /// </summary>
    public string PointInTime(PredictionTask task, IReadOnlyList<FeatureGroup> groups)
    {
        ArgumentNullException.ThrowIfNull(task);
        ArgumentNullException.ThrowIfNull(groups);
        var key = Column(task.Key);
        var eventTime = Column(task.EventTimestamp);
        var sql = new StringBuilder("WITH labels AS (\n").Append(Indent(LabelsSelect(task), 2)).Append("\n)");
        var select = new StringBuilder("SELECT l.*");
        var joins = new StringBuilder();
        foreach (var entity in task.Entities)
        {
            var group = groups.FirstOrDefault(g => g.Name == entity.Group)
                ?? throw new ArgumentException($"Group '{entity.Group}' of task '{task.Name}' is missing.", nameof(groups));
            var alias = Column($"m_{group.Name}");
            var used = task.Features.Append(task.Baseline).OfType<TaskFeature>().Where(f => f.Group == group.Name).Select(f => f.Feature).Distinct(StringComparer.Ordinal).ToList();
            var ts = Column(FeatureGroup.EventTimestampColumn);
            var createdAt = Column(FeatureGroup.CreatedAtColumn);
            var eligible = $"g.{Column(group.EntityColumn)} = l.{Column(entity.Column)}\n   AND g.{ts} <= l.{eventTime}\n   AND g.{createdAt} <= l.{eventTime}";

            // Two steps keep the warehouse's memory small: the latest eligible event time per label is a plain
            // aggregate over the streamed join; only the rows at that time (usually one) are then ranked by write time.
            var latest = Column($"t_{group.Name}");
            sql.Append($",\n{latest} AS (\n  SELECT l.{key} AS {Column("_key")}, MAX(g.{ts}) AS {Column("_event_timestamp")}\n")
                .Append($"  FROM labels AS l\n  JOIN {Table(group.OfflineTable)} AS g\n    ON {eligible}\n  GROUP BY l.{key}\n)");
            sql.Append($",\n{alias} AS (\n  SELECT t.{Column("_key")}, t.{Column("_event_timestamp")}");
            foreach (var feature in used)
            {
                sql.Append($", g.{Column(feature)}");
            }

            sql.Append($",\n    ROW_NUMBER() OVER (PARTITION BY t.{Column("_key")} ORDER BY g.{createdAt} DESC) AS {Column("_recency")}\n")
                .Append($"  FROM {latest} AS t\n  JOIN labels AS l ON l.{key} = t.{Column("_key")}\n  JOIN {Table(group.OfflineTable)} AS g\n")
                .Append($"    ON {eligible}\n   AND g.{ts} = t.{Column("_event_timestamp")}\n)");
            var prefix = group.Name + GroupSeparator;
            select.Append($",\n  CASE WHEN {alias}.{Column("_key")} IS NULL THEN 0 ELSE 1 END AS {Column(prefix + PresentSuffix)}");
            select.Append($",\n  {alias}.{Column("_event_timestamp")} AS {Column(prefix + FeatureGroup.EventTimestampColumn)}");
            foreach (var feature in used)
            {
                select.Append($",\n  {alias}.{Column(feature)} AS {Column(prefix + feature)}");
            }

            joins.Append($"\nLEFT JOIN {alias} AS {alias}\n  ON {alias}.{Column("_key")} = l.{key} AND {alias}.{Column("_recency")} = 1");
        }

        return sql.Append('\n').Append(select).Append("\nFROM labels AS l").Append(joins).Append($"\nORDER BY l.{eventTime}, l.{key}").ToString();
    }

    /// <summary>The task's labels query with macros rendered.</summary>
    public string LabelsSelect(PredictionTask task)
    {
        ArgumentNullException.ThrowIfNull(task);
        var model = new GoldModel
        {
            Name = task.Name,
            Domain = task.Domain,
            Path = task.Path,
            Description = task.Description,
            Columns = [.. LabelColumns(task)],
            Body = task.Labels,
            References = task.References,
        };
        return _sql.Select(model);
    }

    /// <summary>The columns a labels query returns, with their types: key, event time, label, entity ids, inputs.</summary>
    public static IEnumerable<ModelColumn> LabelColumns(PredictionTask task)
    {
        ArgumentNullException.ThrowIfNull(task);
        yield return new ModelColumn(task.Key, new GoldType(ColumnType.String), null);
        yield return new ModelColumn(task.EventTimestamp, new GoldType(ColumnType.Timestamp), null);
        yield return new ModelColumn(task.Label, new GoldType(ColumnType.Bool), null);
        foreach (var entity in task.Entities)
        {
            yield return new ModelColumn(entity.Column, new GoldType(ColumnType.String), null);
        }

        foreach (var input in task.Inputs)
        {
            var type = input.Type switch
            {
                InputType.String => ColumnType.String,
                InputType.Number => ColumnType.Float64,
                _ => ColumnType.Timestamp,
            };
            yield return new ModelColumn(input.Name, new GoldType(type), input.Description);
        }
    }

    /// <summary>The columns of a group's rows besides the run columns: entity, event time, features.</summary>
    public static IEnumerable<string> ValueColumns(FeatureGroup group)
    {
        ArgumentNullException.ThrowIfNull(group);
        yield return group.EntityColumn;
        yield return FeatureGroup.EventTimestampColumn;
        foreach (var feature in group.Features)
        {
            yield return feature.Name;
        }
    }

    private string Same(FeatureDefinition feature)
    {
        var a = "w." + Column(feature.Name);
        var b = "e." + Column(feature.Name);
        var equal = feature.Type.Kind == ColumnType.Float64
            ? string.Create(System.Globalization.CultureInfo.InvariantCulture, $"ABS({a} - {b}) <= {FloatTolerance:0.0##############} * (1 + ABS({b}))")
            : $"{a} = {b}";
        return $"(({a} IS NULL AND {b} IS NULL) OR ({a} IS NOT NULL AND {b} IS NOT NULL AND {equal}))";
    }

    private static string Indent(string text, int spaces)
    {
        var pad = new string(' ', spaces);
        return pad + text.Replace("\n", "\n" + pad, StringComparison.Ordinal);
    }
}

/// <summary>What a materialisation computes and compares.</summary>
/// <param name="HasStart">Only event times after <c>@from</c> are computed; false computes the whole history.</param>
/// <param name="HasWatermark">Rows at or before <c>@watermark</c> are late (created_at <c>@now</c>); false: a first build.</param>
/// <param name="CompareExisting">Rows the offline table already holds with the same values are left out (the table exists).</param>
public sealed record ChangeWindow(bool HasStart, bool HasWatermark, bool CompareExisting);
