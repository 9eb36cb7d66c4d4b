using System.Globalization;
using System.Runtime.CompilerServices;
using OpenTrace.Core.Warehouse;

namespace OpenTrace.Core.Retrieval;

/// <summary>
/// Review comments from silver (<c>silver.&lt;domain&gt;__order_reviews</c>): one chunk per review with a title or a
/// message, carrying the row's <c>_lineage_id</c> and the review score and order id as filterable metadata. Silver
/// masks personal data already; the text is scrubbed again here. When the table does not exist yet the source is
/// empty.
/// </summary>
/// <param name="warehouse">The warehouse holding silver.</param>
/// <param name="domain">The domain whose reviews to read; default <c>olist</c>.</param>
/// <param name="limit">Most reviews read (the latest answered first); null (the default) reads them all.</param>
public sealed class ReviewCommentSource(IWarehouse warehouse, string domain = "olist", int? limit = null) : ICorpusSource
{
    /// <inheritdoc />
    public string Name => "reviews";

    /// <summary>The table read.</summary>
    public TableId Table { get; } = new(Datasets.Silver, Datasets.TableName(domain, "order_reviews"));

    /// <inheritdoc />
    public async IAsyncEnumerable<CorpusChunk> ReadChunksAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        if (await warehouse.GetTableAsync(Table, cancellationToken) is null)
        {
            yield break;
        }

        var sql = $"""
            SELECT review_id, order_id, review_score, review_comment_title, review_comment_message, {Lineage.LineageId} AS lineage_id
            FROM {Table.Dataset}.{Table.Table}
            WHERE review_comment_message IS NOT NULL OR review_comment_title IS NOT NULL
            ORDER BY review_answer_timestamp DESC, review_id, order_id
            """;
        if (limit is { } max)
        {
            sql += string.Create(CultureInfo.InvariantCulture, $"\nLIMIT {max}");
        }

        var document = Table.ToString();
        await foreach (var row in warehouse.QueryAsync(sql, cancellationToken: cancellationToken))
        {
            var chunk = ToChunk(document, row);
            if (chunk is not null)
            {
                yield return chunk;
            }
        }
    }

    /// <summary>The chunk of one review row, or null when it has neither title nor message.</summary>
    internal static CorpusChunk? ToChunk(string document, WarehouseRow row)
    {
        var reviewId = row.Get<string>("review_id") ?? string.Empty;
        var orderId = row.Get<string>("order_id") ?? string.Empty;
        var title = PiiScrubber.Scrub(row.Get<string>("review_comment_title")?.Trim());
        var message = PiiScrubber.Scrub(row.Get<string>("review_comment_message")?.Trim());
        if (string.IsNullOrEmpty(title) && string.IsNullOrEmpty(message))
        {
            return null;
        }

        var score = row["review_score"] is null ? null : row.Get<long>("review_score").ToString(CultureInfo.InvariantCulture);
        var text = string.IsNullOrEmpty(title) ? message! : string.IsNullOrEmpty(message) ? title : $"{title}. {message}";
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [ChunkMetadata.Kind] = ChunkMetadata.KindReview,
            [ChunkMetadata.Document] = document,
            [ChunkMetadata.OrderId] = orderId,
        };
        if (score is not null)
        {
            metadata[ChunkMetadata.ReviewScore] = score;
        }

        var heading = score is null ? "Customer review" : $"Customer review, score {score} of 5";
        return new CorpusChunk(
            $"review/{reviewId}/{orderId}",
            document,
            heading,
            text.ReplaceLineEndings(" "),
            row.Get<string>("lineage_id") ?? string.Empty,
            metadata);
    }
}
