using OpenTrace.Core.Contracts;
using ParquetSharp;

namespace OpenTrace.Core.Silver;

/// <summary>A source column the contract does not declare, carried into silver as text.</summary>
/// <param name="Source">The bronze column.</param>
/// <param name="Name">Its silver name (the bronze name, suffixed when it collides with a declared column).</param>
internal sealed record CarriedColumn(BronzeColumn Source, string Name);

/// <summary>Why a file cannot be processed under its contract (quarantined whole, nothing published).</summary>
/// <param name="Rule">The rule, e.g. <c>schema_drift(order_status)</c> or <c>not_null(order_id)</c>.</param>
/// <param name="Reason">A sentence naming the column and what is wrong.</param>
/// <param name="Column">The column at fault, or null.</param>
internal sealed record FileRejection(string Rule, string Reason, string? Column);

/// <summary>
/// A contract matched against one bronze file: which bronze column each declared column reads, which columns are
/// new (additive drift), which are missing, and the compiled rules.
/// </summary>
internal sealed class SilverPlan
{
    private SilverPlan(DataContract contract, BronzeFile file, ColumnProgram[] columns, IReadOnlyList<CarriedColumn> carried, IReadOnlyList<string> added, FileRejection? rejection)
    {
        Contract = contract;
        File = file;
        Columns = columns;
        Carried = carried;
        AddedColumns = added;
        Rejection = rejection;
        KeyOrdinals = contract.PrimaryKey.Select(k => Array.FindIndex(columns, c => c.Column.Name == k)).ToArray();
        OrderOrdinal = contract.OrderBy is null ? -1 : Array.FindIndex(columns, c => c.Column.Name == contract.OrderBy);
        RowIssue = file.Find(Lineage.RowIssue);
        ExtraFields = file.Find(BronzeFile.ExtraFieldsColumn);
        RowNumber = file.Find(Lineage.RowNumber)!;
    }

    public DataContract Contract { get; }

    public BronzeFile File { get; }

    /// <summary>One program per declared column, in contract order.</summary>
    public ColumnProgram[] Columns { get; }

    /// <summary>Additive columns carried into silver (empty unless the policy is carry).</summary>
    public IReadOnlyList<CarriedColumn> Carried { get; }

    /// <summary>Names (as in the source header) of source columns the contract does not declare.</summary>
    public IReadOnlyList<string> AddedColumns { get; }

    /// <summary>Set when the file's shape already rules it out (missing column, wrong physical type, forbidden additions).</summary>
    public FileRejection? Rejection { get; }

    /// <summary>Ordinals of the key columns; empty without a key.</summary>
    public int[] KeyOrdinals { get; }

    /// <summary>Ordinal of the ordering column, or -1.</summary>
    public int OrderOrdinal { get; }

    public BronzeColumn? RowIssue { get; }

    public BronzeColumn? ExtraFields { get; }

    public BronzeColumn RowNumber { get; }

    /// <summary>Declared columns that are published (everything but pii: drop).</summary>
    public IEnumerable<ColumnProgram> Published => Columns.Where(c => c.Column.Pii != PiiPolicy.Drop);

    public static SilverPlan Create(DataContract contract, BronzeFile file)
    {
        ArgumentNullException.ThrowIfNull(contract);
        ArgumentNullException.ThrowIfNull(file);
        FileRejection? rejection = null;
        var used = new HashSet<int>();
        var programs = new ColumnProgram[contract.Columns.Count];
        for (var i = 0; i < programs.Length; i++)
        {
            var column = contract.Columns[i];
            var source = FindSource(file, column.Source);
            if (source is null && column.Required)
            {
                rejection ??= new FileRejection(
                    $"schema_drift({column.Name})",
                    $"schema drift: required column '{column.Source}' is missing from the file (it has {string.Join(", ", file.SourceColumns.Select(c => c.SourceName))}).",
                    column.Name);
            }
            else if (source is not null && source.PhysicalType != PhysicalType.ByteArray)
            {
                rejection ??= new FileRejection(
                    $"schema_drift({column.Name})",
                    $"schema drift: column '{column.Source}' is stored as {source.PhysicalType} in bronze, which is incompatible with {column.Type} read from text.",
                    column.Name);
            }

            if (source is not null)
            {
                used.Add(source.Index);
            }

            programs[i] = new ColumnProgram(column, i, source is { PhysicalType: PhysicalType.ByteArray } ? source : null);
        }

        var extra = file.SourceColumns.Where(c => !used.Contains(c.Index)).ToList();
        var added = extra.Select(c => c.SourceName).ToList();
        var carried = new List<CarriedColumn>();
        if (extra.Count > 0 && contract.AdditiveColumns == AdditiveColumnPolicy.Fail)
        {
            rejection ??= new FileRejection(
                $"schema_drift({extra[0].Name})",
                $"schema drift: the file has column{(extra.Count > 1 ? "s" : string.Empty)} {string.Join(", ", added.Select(a => $"'{a}'"))} that the contract does not declare, and its drift policy is additive: fail.",
                extra[0].Name);
        }
        else if (contract.AdditiveColumns == AdditiveColumnPolicy.Carry)
        {
            var taken = new HashSet<string>(contract.Columns.Select(c => c.Name), StringComparer.OrdinalIgnoreCase);
            foreach (var column in extra.Where(c => c.PhysicalType == PhysicalType.ByteArray))
            {
                var name = column.Name;
                for (var n = 2; !taken.Add(name); n++)
                {
                    name = $"{column.Name}_{n}";
                }

                carried.Add(new CarriedColumn(column, name));
            }
        }

        return new SilverPlan(contract, file, programs, carried, added, rejection);
    }

    /// <summary>Bronze cleans header names for the warehouse; a contract names the source as published, so both spellings match.</summary>
    private static BronzeColumn? FindSource(BronzeFile file, string source)
    {
        return file.SourceColumns.FirstOrDefault(c => string.Equals(c.SourceName, source, StringComparison.OrdinalIgnoreCase))
            ?? file.SourceColumns.FirstOrDefault(c => string.Equals(c.Name, source, StringComparison.OrdinalIgnoreCase));
    }
}
