using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using OpenTrace.Core.Samples;
using Sylvan.Data.Csv;

namespace OpenTrace.Core.Tests.Samples;

/// <summary>One parsed CSV file: its header and rows, read back with a real CSV parser.</summary>
internal sealed class CsvTable(string[] header, List<string[]> rows)
{
    public string[] Header { get; } = header;

    public List<string[]> Rows { get; } = rows;

    public int Index(string column)
    {
        var index = Array.IndexOf(Header, column);
        Assert.True(index >= 0, $"column {column} is missing");
        return index;
    }

    public IEnumerable<string> Values(string column)
    {
        var index = Index(column);
        return Rows.Select(r => r[index]);
    }
}

/// <summary>The nine files of one generation, in memory; cached per options so test classes share them.</summary>
internal sealed class GeneratedOlist
{
    private static readonly ConcurrentDictionary<OlistGeneratorOptions, Lazy<Task<GeneratedOlist>>> Cache = new();
    private readonly ConcurrentDictionary<string, CsvTable> _tables = new();

    private GeneratedOlist(OlistGeneratorOptions options, IReadOnlyDictionary<string, byte[]> files, OlistGenerationSummary summary)
    {
        Options = options;
        Files = files;
        Summary = summary;
    }

    public OlistGeneratorOptions Options { get; }

    public IReadOnlyDictionary<string, byte[]> Files { get; }

    public OlistGenerationSummary Summary { get; }

    public CsvTable Customers => Table(OlistDataset.Customers);

    public CsvTable Geolocation => Table(OlistDataset.Geolocation);

    public CsvTable Items => Table(OlistDataset.OrderItems);

    public CsvTable Payments => Table(OlistDataset.OrderPayments);

    public CsvTable Reviews => Table(OlistDataset.OrderReviews);

    public CsvTable Orders => Table(OlistDataset.Orders);

    public CsvTable Products => Table(OlistDataset.Products);

    public CsvTable Sellers => Table(OlistDataset.Sellers);

    public CsvTable Categories => Table(OlistDataset.CategoryTranslation);

    public static Task<GeneratedOlist> GetAsync(double scale, long seed = 42, bool dirty = false)
    {
        var options = new OlistGeneratorOptions { Scale = scale, Seed = seed, Dirty = dirty };
        return Cache.GetOrAdd(options, o => new Lazy<Task<GeneratedOlist>>(() => GenerateAsync(o))).Value;
    }

    public static async Task<GeneratedOlist> GenerateAsync(OlistGeneratorOptions options)
    {
        var streams = new Dictionary<string, MemoryStream>();
        var summary = await new OlistGenerator(options).WriteAsync(name => streams[name] = new MemoryStream());
        return new GeneratedOlist(options, streams.ToDictionary(s => s.Key, s => s.Value.ToArray()), summary);
    }

    /// <summary>SHA-256 over every file in published order: name, a zero byte, content.</summary>
    public static string Hash(IReadOnlyDictionary<string, byte[]> files)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var file in OlistDataset.Files)
        {
            hash.AppendData(Encoding.UTF8.GetBytes(file.FileName));
            hash.AppendData([0]);
            hash.AppendData(files[file.FileName]);
        }

        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    public string Text(OlistFile file) => Encoding.UTF8.GetString(Files[file.FileName]);

    public CsvTable Table(OlistFile file) => _tables.GetOrAdd(file.FileName, _ => Parse(Files[file.FileName]));

    public static DateTime Time(string value) => DateTime.ParseExact(value, "yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);

    public static decimal Money(string value) => decimal.Parse(value, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture);

    private static CsvTable Parse(byte[] content)
    {
        using var reader = CsvDataReader.Create(
            new StreamReader(new MemoryStream(content), new UTF8Encoding(false, throwOnInvalidBytes: true)),
            new CsvDataReaderOptions { HasHeaders = true, Delimiter = ',' });
        var header = Enumerable.Range(0, reader.FieldCount).Select(reader.GetName).ToArray();
        var rows = new List<string[]>();
        while (reader.Read())
        {
            Assert.Equal(header.Length, reader.RowFieldCount);
            rows.Add(Enumerable.Range(0, header.Length).Select(reader.GetString).ToArray());
        }

        return new CsvTable(header, rows);
    }
}
