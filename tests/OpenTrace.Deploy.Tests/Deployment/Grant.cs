using OpenTrace.Deploy.Tests.Hcl;

namespace OpenTrace.Deploy.Tests.Deployment;

/// <summary>
/// One IAM role held by an OpenTrace service account. <see cref="Kind"/> is project, bucket, dataset, service,
/// repository or account; <see cref="Target"/> names the bucket, dataset, function service or function account ("" for project and repository).
/// </summary>
internal sealed record Grant(string Principal, string Kind, string Target, string Role)
{
    public override string ToString() => Target.Length == 0
        ? $"{Principal}: {Role} on the {Kind}"
        : $"{Principal}: {Role} on {Kind} {Target}";

    /// <summary>Reads <c>local.grants</c>: a tuple of objects whose four fields are plain strings.</summary>
    public static IReadOnlyList<Grant> ReadTable(TerraformConfig terraform)
    {
        if (terraform.Local("grants") is not HclTuple table)
        {
            throw new InvalidOperationException("local.grants must be a tuple of literal objects");
        }

        return table.Items.Select(item => item is HclObject row
                ? new Grant(Field(row, "principal"), Field(row, "kind"), Field(row, "target"), Field(row, "role"))
                : throw new InvalidOperationException($"{item.Location}: a grant must be an object literal, found {item.Source}"))
            .ToList();
    }

    private static string Field(HclObject row, string name)
    {
        if (row.Keys.Count() != 4)
        {
            throw new InvalidOperationException($"{row.Location}: a grant has exactly principal, kind, target and role; found {string.Join(", ", row.Keys)}");
        }

        return row.Get(name) is HclString { IsTemplate: false } value
            ? value.Value
            : throw new InvalidOperationException($"{row.Location}: grant field '{name}' must be a plain string");
    }
}
