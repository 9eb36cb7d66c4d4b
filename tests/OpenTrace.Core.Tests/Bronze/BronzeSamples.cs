using System.Text.Json;
using OpenTrace.Core.Bronze;

namespace OpenTrace.Core.Tests.Bronze;

/// <summary>The sample files under data/bronze and what reading them must give (their .expected.json sidecars).</summary>
internal static class BronzeSamples
{
    public static string PathOf(string file) => Path.Combine(AppContext.BaseDirectory, "data", "bronze", file);

    public static Expected ExpectedFor(string file) =>
        JsonSerializer.Deserialize<Expected>(File.ReadAllText(PathOf(file + ".expected.json")), new JsonSerializerOptions { PropertyNameCaseInsensitive = true })!;

    public static Task<ReadResult> ReadAllAsync(string path, CancellationToken cancellationToken = default) =>
        BronzeReader.ReadAsync(BronzeSource.FromFile(path), async (reader, ct) =>
        {
            var rows = new List<ReadRow>();
            while (await reader.ReadAsync(ct))
            {
                rows.Add(new ReadRow(reader.RowNumber, [.. reader.Values], reader.ExtraFields, reader.RowIssue));
            }

            return new ReadResult(reader.Description, reader.Columns, rows, reader.BytesRead);
        }, cancellationToken);

    public sealed record ReadRow(long Number, string?[] Values, string? Extra, string? Issue);

    public sealed record ReadResult(SourceDescription Description, IReadOnlyList<string> Columns, IReadOnlyList<ReadRow> Rows, long BytesRead);

    public sealed class Expected
    {
        public string Format { get; set; } = "";

        public string? Delimiter { get; set; }

        public bool Gzip { get; set; }

        public string? Encoding { get; set; }

        public bool Bom { get; set; }

        public List<string> Columns { get; set; } = [];

        public List<List<string?>> Rows { get; set; } = [];

        public int? RowCount { get; set; }

        public List<string?>? LastRow { get; set; }

        public Dictionary<string, string> Issues { get; set; } = [];

        public Dictionary<string, List<string>> Extras { get; set; } = [];

        public string? Warning { get; set; }

        public List<string>? CleanColumns { get; set; }
    }
}
