using OpenTrace.Core.Pipelines;

namespace OpenTrace.Core.Contracts;

/// <summary>How a text value's letters are normalised.</summary>
public enum TextCase
{
    /// <summary>Left as written.</summary>
    None,

    /// <summary>Lower-cased (invariant culture).</summary>
    Lower,

    /// <summary>Upper-cased (invariant culture).</summary>
    Upper,
}

/// <summary>What silver does with a column holding personal data.</summary>
public enum PiiPolicy
{
    /// <summary>Not personal data.</summary>
    None,

    /// <summary>
    /// Replaced by a keyed HMAC-SHA256 token (32 hex characters): the same input always gives the same token, so
    /// joins still work, but the value cannot be recovered without the key.
    /// </summary>
    Pseudonymize,

    /// <summary>Letters and digits replaced by <c>*</c>, except the last <see cref="ContractColumn.MaskKeepLast"/>.</summary>
    Mask,

    /// <summary>Not published at all.</summary>
    Drop,

    /// <summary>Free text: e-mail addresses, phone numbers and CPF/CNPJ numbers inside it are replaced by placeholders.</summary>
    Scrub,
}

/// <summary>What happens to source columns the contract does not declare.</summary>
public enum AdditiveColumnPolicy
{
    /// <summary>Carried into silver as nullable text (scrubbed of personal data) and recorded as drift. The default.</summary>
    Carry,

    /// <summary>Left out of silver, but still recorded as drift.</summary>
    Ignore,

    /// <summary>The whole file is quarantined.</summary>
    Fail,
}

/// <summary>
/// A silver data contract: how the rows of one domain table are typed, normalised, protected, deduplicated and
/// checked on their way from bronze to silver. Loaded from <c>pipelines/&lt;domain&gt;/contracts/&lt;table&gt;.yaml</c>
/// by <see cref="ContractLoader"/>; see docs/contracts.md for the format.
/// </summary>
public sealed record DataContract
{
    /// <summary>The table it describes.</summary>
    public required TableRoute Route { get; init; }

    /// <summary>The YAML file it was read from (for error messages).</summary>
    public required string SourcePath { get; init; }

    /// <summary>
    /// A fingerprint of the file's content (16 hex characters): outputs written under one contract version carry it,
    /// so a replay after a contract change knows what to rewrite.
    /// </summary>
    public required string Fingerprint { get; init; }

    /// <summary>Free text, or null.</summary>
    public string? Description { get; init; }

    /// <summary>Filename globs that route dropped files to this table; empty when none.</summary>
    public IReadOnlyList<string> Match { get; init; } = [];

    /// <summary>Declared columns in silver order.</summary>
    public required IReadOnlyList<ContractColumn> Columns { get; init; }

    /// <summary>Target names of the primary-key columns; empty for a table without a key (no deduplication).</summary>
    public IReadOnlyList<string> PrimaryKey { get; init; } = [];

    /// <summary>
    /// Target name of the column that decides which version of a key is the latest, or null. Ties (and rows without
    /// a value) fall back to the bronze ingestion time, then the row number: the later row wins.
    /// </summary>
    public string? OrderBy { get; init; }

    /// <summary>Row and table rules, including the implied ones (see <see cref="ContractLoader"/>).</summary>
    public required IReadOnlyList<ContractRule> Rules { get; init; }

    /// <summary>Source columns the contract does not declare. Default <see cref="AdditiveColumnPolicy.Carry"/>.</summary>
    public AdditiveColumnPolicy AdditiveColumns { get; init; } = AdditiveColumnPolicy.Carry;

    /// <summary>
    /// What to do with rows bronze flagged (a row with too many or too few fields): <see cref="RuleSeverity.Drop"/>
    /// (the default) quarantines them, <see cref="RuleSeverity.Warn"/> keeps them, <see cref="RuleSeverity.Fail"/>
    /// quarantines the file.
    /// </summary>
    public RuleSeverity RaggedRows { get; init; } = RuleSeverity.Drop;

    /// <summary>The silver warehouse table: <c>silver.&lt;domain&gt;__&lt;table&gt;</c>.</summary>
    public string TableName => Datasets.TableName(Route.Domain, Route.Table);

    /// <summary>The column with this target name (ordinal), or null.</summary>
    public ContractColumn? Find(string name) => Columns.FirstOrDefault(c => string.Equals(c.Name, name, StringComparison.Ordinal));

    /// <summary>The columns published to silver (everything except <see cref="PiiPolicy.Drop"/>).</summary>
    public IEnumerable<ContractColumn> PublishedColumns => Columns.Where(c => c.Pii != PiiPolicy.Drop);
}

/// <summary>One declared column.</summary>
public sealed record ContractColumn
{
    /// <summary>Silver column name.</summary>
    public required string Name { get; init; }

    /// <summary>Bronze (source) column name; defaults to <see cref="Name"/>. Matched ignoring case.</summary>
    public required string Source { get; init; }

    /// <summary>Silver type.</summary>
    public required ContractType Type { get; init; }

    /// <summary>False adds a <c>not_null</c> rule (severity drop unless a rule says otherwise). Default true.</summary>
    public bool Nullable { get; init; } = true;

    /// <summary>
    /// True (the default) when a file without this column is quarantined as schema drift; false lets it be all
    /// null (or <see cref="Default"/>).
    /// </summary>
    public bool Required { get; init; } = true;

    /// <summary>Remove leading and trailing white space. Default true.</summary>
    public bool Trim { get; init; } = true;

    /// <summary>Case normalisation of text. Default none.</summary>
    public TextCase Case { get; init; }

    /// <summary>Treat an empty value (after trimming) as null. Default true.</summary>
    public bool EmptyAsNull { get; init; } = true;

    /// <summary>Replacements applied after trimming and case (exact match on the whole value); empty when none.</summary>
    public IReadOnlyDictionary<string, string> Map { get; init; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>Text used when the value is null after normalisation (parsed like any value), or null.</summary>
    public string? Default { get; init; }

    /// <summary>
    /// What happens when a value does not parse as <see cref="Type"/>: <see cref="RuleSeverity.Drop"/> (default)
    /// quarantines the row, <see cref="RuleSeverity.Warn"/> keeps it with a null, <see cref="RuleSeverity.Fail"/>
    /// quarantines the file.
    /// </summary>
    public RuleSeverity Invalid { get; init; } = RuleSeverity.Drop;

    /// <summary>Personal-data policy. Default none.</summary>
    public PiiPolicy Pii { get; init; }

    /// <summary>With <see cref="PiiPolicy.Mask"/>: how many trailing letters or digits stay readable. Default 0.</summary>
    public int MaskKeepLast { get; init; }

    /// <summary>Free text, or null.</summary>
    public string? Description { get; init; }
}
