using System.Globalization;
using OpenTrace.Core.Storage;
using OpenTrace.Core.Warehouse;
using ParquetSharp;

namespace OpenTrace.Core.Gold;

/// <summary>
/// Exports a published gold table to the lake as one Parquet object, <c>gold/&lt;domain&gt;/&lt;model&gt;.parquet</c>,
/// with the model's declared column types. Rows stream from the warehouse into row groups of
/// <see cref="RowGroupRows"/> in a temporary file, which is then uploaded in one atomic write (readers of the lake see
/// the previous export or the new one).
/// </summary>
public sealed class GoldParquetExporter(IWarehouse warehouse, IObjectStore objects)
{
    /// <summary>Rows per Parquet row group.</summary>
    public const int RowGroupRows = 65_536;

    /// <summary>Parquet key-value metadata key holding the build id.</summary>
    public const string BuildIdKey = "opentrace.build_id";

    /// <summary>Parquet key-value metadata key holding the model name.</summary>
    public const string ModelKey = "opentrace.model";

    /// <summary>The lake object a model is exported to.</summary>
    public static string ObjectName(GoldModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        return $"{LakePaths.GoldPrefix}{model.Domain}/{model.Name}.parquet";
    }

    /// <summary>Exports <paramref name="model"/>'s gold table to <paramref name="bucket"/>; returns the object written.</summary>
    public async Task<ObjectInfo> ExportAsync(GoldModel model, GoldSql sql, string bucket, string buildId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(sql);
        ArgumentException.ThrowIfNullOrEmpty(bucket);
        var temp = Path.Combine(Path.GetTempPath(), $"opentrace-gold-{Guid.NewGuid():N}.parquet");
        try
        {
            await WriteFileAsync(model, sql, temp, buildId, cancellationToken);
            await using var content = new FileStream(temp, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.Asynchronous);
            return await objects.UploadAsync(
                bucket,
                ObjectName(model),
                content,
                new ObjectWriteOptions
                {
                    ContentType = "application/vnd.apache.parquet",
                    Metadata = new Dictionary<string, string> { [BuildIdKey] = buildId, [ModelKey] = model.Name },
                },
                cancellationToken);
        }
        finally
        {
            File.Delete(temp);
        }
    }

    private async Task WriteFileAsync(GoldModel model, GoldSql sql, string path, string buildId, CancellationToken cancellationToken)
    {
        var buffers = model.Columns.Select(ColumnBuffer.For).ToArray();
        using var properties = new WriterPropertiesBuilder()
            .Compression(Compression.Zstd)
            .CompressionLevel(1)
            .CreatedBy("OpenTrace gold")
            .Build();
        var metadata = new Dictionary<string, string> { [BuildIdKey] = buildId, [ModelKey] = model.Name };
        using var file = new ParquetFileWriter(path, buffers.Select(b => b.Column).ToArray(), properties, metadata);
        var query = $"SELECT {string.Join(", ", model.Columns.Select(c => sql.Column(c.Name)))} FROM {sql.Table(model.Table)}";
        var rows = 0;
        var groups = 0;
        await foreach (var row in warehouse.QueryAsync(query, cancellationToken: cancellationToken))
        {
            for (var i = 0; i < buffers.Length; i++)
            {
                buffers[i].Add(row[i], model.Columns[i].Name);
            }

            if (++rows == RowGroupRows)
            {
                WriteRowGroup(file, buffers);
                groups++;
                rows = 0;
            }
        }

        if (rows > 0 || groups == 0)
        {
            WriteRowGroup(file, buffers);
        }

        file.Close();
    }

    private static void WriteRowGroup(ParquetFileWriter file, ColumnBuffer[] buffers)
    {
        using var group = file.AppendRowGroup();
        foreach (var buffer in buffers)
        {
            using var column = group.NextColumn();
            buffer.Flush(column);
        }
    }

    /// <summary>Values of one column for the current row group, typed as the model declares the column.</summary>
    private abstract class ColumnBuffer
    {
        public abstract Column Column { get; }

        public static ColumnBuffer For(ModelColumn column) => column.Type.Kind switch
        {
            ColumnType.String => new Buffer<string?>(new Column<string>(column.Name, LogicalType.String()), ValueConversion.To<string>),
            ColumnType.Int64 => new Buffer<long?>(new Column<long?>(column.Name), v => ValueConversion.To<long>(v)),
            ColumnType.Float64 => new Buffer<double?>(new Column<double?>(column.Name), v => ValueConversion.To<double>(v)),
            ColumnType.Bool => new Buffer<bool?>(new Column<bool?>(column.Name), v => ValueConversion.To<bool>(v)),
            ColumnType.Date => new Buffer<Date?>(new Column<Date?>(column.Name), v => ToDate(ValueConversion.To<DateOnly>(v))),
            ColumnType.Timestamp => new Buffer<DateTime?>(
                new Column<DateTime?>(column.Name, LogicalType.Timestamp(isAdjustedToUtc: true, TimeUnit.Micros)),
                v => ToMicros(ValueConversion.To<DateTime>(v))),
            ColumnType.Decimal => DecimalBuffer(column),
            _ => throw new ArgumentOutOfRangeException(nameof(column), column.Type, $"Column '{column.Name}' has a type gold does not export."),
        };

        public abstract void Add(object? value, string name);

        public abstract void Flush(ColumnWriter writer);

        private static Buffer<decimal?> DecimalBuffer(ModelColumn column)
        {
            // Plain numeric is NUMERIC(38, 9) in the warehouse; .NET decimals (and so ParquetSharp) hold 29 digits.
            var precision = column.Type.Precision ?? 29;
            var scale = column.Type.Scale ?? 9;
            return new Buffer<decimal?>(
                new Column<decimal?>(column.Name, LogicalType.Decimal(precision, scale)),
                v => decimal.Round(ValueConversion.To<decimal>(v), scale, MidpointRounding.AwayFromZero));
        }

        private static Date ToDate(DateOnly day) => new(day.Year, day.Month, day.Day);

        private static DateTime ToMicros(DateTime value)
        {
            var utc = value.Kind == DateTimeKind.Local ? value.ToUniversalTime() : DateTime.SpecifyKind(value, DateTimeKind.Utc);
            return new DateTime(utc.Ticks - (utc.Ticks % 10), DateTimeKind.Utc);
        }
    }

    private sealed class Buffer<T>(Column column, Func<object, T> convert) : ColumnBuffer
    {
        private readonly List<T> _values = new(1024);

        public override Column Column { get; } = column;

        public override void Add(object? value, string name)
        {
            try
            {
                _values.Add(value is null ? default! : convert(value));
            }
            catch (Exception ex) when (ex is InvalidCastException or FormatException or OverflowException)
            {
                throw new OpenTraceException(
                    string.Create(CultureInfo.InvariantCulture, $"Cannot export value '{value}' ({value?.GetType().Name}) of column '{name}' as {typeof(T).Name}: {ex.Message}"),
                    field: name,
                    rule: "export",
                    inner: ex);
            }
        }

        public override void Flush(ColumnWriter writer)
        {
            using var logical = writer.LogicalWriter<T>();
            logical.WriteBatch(_values.ToArray());
            _values.Clear();
        }
    }
}
