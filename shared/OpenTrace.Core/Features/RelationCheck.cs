using OpenTrace.Core.Gold;
using OpenTrace.Core.Warehouse;

namespace OpenTrace.Core.Features;

/// <summary>Checks that the gold models and sources a query reads exist, so a missing one is named instead of a SQL error.</summary>
internal static class RelationCheck
{
    /// <summary>A message naming the first relation of <paramref name="references"/> that does not exist, or null when all do.</summary>
    public static async Task<string?> MissingAsync(IWarehouse warehouse, IEnumerable<RelationRef> references, CancellationToken cancellationToken)
    {
        foreach (var reference in references.DistinctBy(r => r.Key))
        {
            var table = reference.IsModel ? new TableId(Datasets.Gold, reference.Name) : new TableId(reference.Dataset!, reference.Name);
            if (await warehouse.GetTableAsync(table, cancellationToken) is null)
            {
                return reference.IsModel
                    ? $"{table} does not exist yet; it is read by {Path.GetFileName(reference.Path)} and is published by gold (opentrace gold / the gold function)."
                    : $"{table} does not exist yet; it is read by {Path.GetFileName(reference.Path)}.";
            }
        }

        return null;
    }
}
