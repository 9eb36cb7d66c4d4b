namespace OpenTrace.Core.Samples;

/// <summary>
/// The dirt <see cref="OlistGeneratorOptions.Dirty"/> adds, and how much. Every rate is exact: of each block of N
/// consecutive rows (or values, or reviews) exactly one, at a seeded position, gets the dirt, so even small outputs
/// contain every kind. Dirty output is the clean output with these changes; everything else is byte-identical.
/// Clean output already has values that look numeric but must stay text: zip prefixes with leading zeros
/// (e.g. <c>01310</c>, all of greater São Paulo).
/// </summary>
public static class OlistDirt
{
    /// <summary>
    /// Duplicate rows: in every file but the category translation, one data row in 200 (0.5%) is written a second
    /// time, byte-identical, 1 to 50 rows later (or at the end of the file).
    /// </summary>
    public const int DuplicateRowOneIn = 200;

    /// <summary>
    /// Case and whitespace drift: in each column of <see cref="DriftColumns"/>, one value in 100 (1%) is replaced by a
    /// variant, rotating from block to block: a leading space (<c>' SP'</c>), a trailing space (<c>'credit_card '</c>),
    /// flipped case (<c>'sp'</c>, <c>'DELIVERED'</c>), Title_Case (<c>'Credit_Card'</c>, <c>'Sao Paulo'</c>), and for
    /// cities the accented spelling (<c>'são paulo'</c>).
    /// </summary>
    public const int DriftOneIn = 100;

    /// <summary>
    /// Empty strings: in each column of <see cref="EmptyStringColumns"/>, one value in 200 (0.5%) that has a value is
    /// written as a quoted empty string <c>""</c> (a NULL is written as nothing between the commas).
    /// </summary>
    public const int EmptyStringOneIn = 200;

    /// <summary>
    /// Impossible dates: one order in 250 (0.4%), rotating through three kinds: the delivered date 1 to 30 days before
    /// the purchase (<c>order_delivered_customer_date</c>, set even when the status is not delivered); a day that does not
    /// exist in <c>order_purchase_timestamp</c> (the month's last day + 1, e.g. <c>2018-02-29 10:15:00</c>,
    /// <c>2017-04-31 08:00:00</c>); and the year 2099 in <c>order_estimated_delivery_date</c>.
    /// </summary>
    public const int ImpossibleDateOneIn = 250;

    /// <summary>
    /// Duplicate review ids: one review in 125 (0.8%, as in the published data) reuses the <c>review_id</c> of the review
    /// written just before it, for a different order.
    /// </summary>
    public const int DuplicateReviewIdOneIn = 125;

    /// <summary>
    /// Numeric-looking ids: one customer, seller and product id in 200 (0.5% each) is <c>00</c> followed by 30 decimal
    /// digits: still 32 hex characters, but a reader that infers types turns it into a number and loses the leading
    /// zeros. Every reference to that entity uses the same id.
    /// </summary>
    public const int NumericLookingIdOneIn = 200;

    /// <summary>The columns whose values drift in case and whitespace (see <see cref="DriftOneIn"/>).</summary>
    public static IReadOnlyList<string> DriftColumns { get; } =
    [
        "customer_city", "customer_state", "geolocation_city", "geolocation_state", "order_status", "payment_type",
        "product_category_name", "seller_city", "seller_state",
    ];

    /// <summary>The columns that get empty strings (see <see cref="EmptyStringOneIn"/>).</summary>
    public static IReadOnlyList<string> EmptyStringColumns { get; } =
        ["customer_city", "geolocation_city", "order_approved_at", "product_category_name", "seller_city"];
}
