namespace OpenTrace.Core.Samples;

internal enum OrderStatus : byte
{
    Delivered,
    Shipped,
    Canceled,
    Unavailable,
    Invoiced,
    Processing,
    Created,
    Approved,
}

internal enum PaymentType : byte
{
    CreditCard,
    Boleto,
    Voucher,
    DebitCard,
}

internal readonly record struct OrderItem(int Product, int Seller, long PriceCents, long FreightCents, long ShippingLimit);

internal readonly record struct OrderPayment(PaymentType Type, int Installments, long ValueCents);

/// <summary>One order with everything hanging off it; reused from order to order.</summary>
internal sealed class OlistOrder
{
    public long Index { get; set; }

    public long Customer { get; set; }

    public int CustomerState { get; set; }

    public OrderStatus Status { get; set; }

    public long Purchase { get; set; }

    public long? Approved { get; set; }

    public long? Carrier { get; set; }

    public long? Delivered { get; set; }

    public long Estimated { get; set; }

    /// <summary>The chance of late delivery the model gave this order (0 when it was not delivered).</summary>
    public double LateChance { get; set; }

    public List<OrderItem> Items { get; } = new(4);

    public List<OrderPayment> Payments { get; } = new(4);

    public bool HasReview { get; set; }

    public int ReviewScore { get; set; }

    public string? ReviewTitle { get; set; }

    public string? ReviewMessage { get; set; }

    public long ReviewCreated { get; set; }

    public long ReviewAnswered { get; set; }

    /// <summary>Late: delivered after the estimated delivery date (a timestamp comparison, as analyses of the published data do).</summary>
    public bool IsLate => Delivered > Estimated;
}

/// <summary>
/// The order-level model: status, dates, items, payments and review of order <c>i</c>, from <c>(seed, i)</c> plus two
/// running counters (products sold so far, so every product sells; review messages so far, for the seeded personal
/// data). Orders are therefore simulated in index order, once each.
/// </summary>
internal sealed class OlistOrderModel(OlistWorld world)
{
    public static readonly string[] StatusNames = ["delivered", "shipped", "canceled", "unavailable", "invoiced", "processing", "created", "approved"];
    public static readonly string[] PaymentNames = ["credit_card", "boleto", "voucher", "debit_card"];

    /// <summary>Log-odds of a late delivery before the seller, distance, product and season terms.</summary>
    internal const double LateBase = -4.4;
    internal const double LateSellerWeight = 1.7;
    internal const double LateDistanceWeight = 0.9;
    internal const double LateNoise = 0.3;

    /// <summary>Season's log-odds by purchase month: Black Friday and Christmas, Carnival in February–March.</summary>
    internal static readonly double[] LateSeason = [0.1, 0.45, 0.55, 0.0, -0.1, -0.3, -0.2, -0.1, -0.1, 0.0, 0.75, 0.4];

    private static readonly double[] StatusWeights = SampleMath.Cumulative([96_478, 1_107, 625, 609, 314, 301, 5, 2]);
    private static readonly double[] PaymentWeights = SampleMath.Cumulative([77.22, 19.90, 1.34, 1.54]);

    private static readonly double[] ItemCountWeights =
        SampleMath.Cumulative([88_863, 7_516, 1_322, 505, 204, 198, 22, 8, 3, 8, 4, 5, 1, 2, 2, 0, 0, 0, 0, 2, 1]);

    private static readonly double[] Installments =
        SampleMath.Cumulative([25_455, 12_413, 10_461, 7_098, 5_239, 3_920, 1_626, 4_268, 644, 5_328, 23, 133, 16, 15, 74, 5, 8, 27, 0, 17, 3, 1, 1, 18]);

    private static readonly double[] HourWeights = SampleMath.Cumulative(
        [2394, 1170, 510, 272, 206, 188, 502, 1231, 2967, 4785, 6177, 6578, 5995, 6518, 6569, 6454, 6675, 6150, 5769, 5982, 6193, 6217, 5816, 4123]);

    /// <summary>Orders per month in the published data, 2016-09 to 2018-10: growth, a gap in late 2016, Black Friday.</summary>
    private static readonly (int Year, int Month, int Orders)[] Months =
    [
        (2016, 9, 4), (2016, 10, 324), (2016, 11, 0), (2016, 12, 1),
        (2017, 1, 800), (2017, 2, 1780), (2017, 3, 2682), (2017, 4, 2404), (2017, 5, 3700), (2017, 6, 3245),
        (2017, 7, 4026), (2017, 8, 4331), (2017, 9, 4285), (2017, 10, 4631), (2017, 11, 7544), (2017, 12, 5673),
        (2018, 1, 7269), (2018, 2, 6728), (2018, 3, 7211), (2018, 4, 6939), (2018, 5, 6873), (2018, 6, 6167),
        (2018, 7, 6292), (2018, 8, 6512), (2018, 9, 16), (2018, 10, 4),
    ];

    private static readonly double[] MonthWeights = SampleMath.Cumulative(Months.Select(m => (double)m.Orders).ToArray());

    /// <summary>Review scores 1..5 when the order arrived on time, and when it was late or never arrived.</summary>
    private static readonly double[] ScoresOnTime = SampleMath.Cumulative([0.0660, 0.0262, 0.0798, 0.2043, 0.6226]);
    private static readonly double[] ScoresLate = SampleMath.Cumulative([0.52, 0.08, 0.10, 0.10, 0.20]);
    private static readonly double[] MessageChance = [0.78, 0.70, 0.50, 0.33, 0.33];

    private const double ReviewChance = 0.99782;
    private const double TitleChance = 0.117;
    private const double VoucherExtraChance = 0.038;

    private readonly ReviewText _text = new(world.Seed);
    private long _messages;
    private long _productsCovered;

    public OlistWorld World => world;

    /// <summary>Review messages written so far (the index the next one gets).</summary>
    public long MessagesWritten => _messages;

    public void Simulate(long index, OlistOrder order)
    {
        var random = new SampleRandom(world.Seed, SampleStream.Order, index);
        order.Index = index;
        order.Customer = world.CustomerOfOrder(index);
        order.CustomerState = world.StateOf(world.CustomerPrefix(order.Customer));
        var status = (OrderStatus)random.Pick(StatusWeights);
        order.Status = index == 0 ? OrderStatus.Delivered : status;
        order.Purchase = PurchaseTime(random);
        var primary = (PaymentType)random.Pick(PaymentWeights);

        AddItems(random, order);
        SetDates(random, order, primary);
        AddPayments(random, order, primary);
        AddReview(order);
    }

    private static long PurchaseTime(SampleRandom random)
    {
        var (year, month, _) = Months[random.Pick(MonthWeights)];
        var days = DateTime.DaysInMonth(year, month);
        var day = year == 2017 && month == 11 && random.Chance(0.155) ? 24 : 1 + random.Next(days);
        var hour = random.Pick(HourWeights);
        return SampleClock.Seconds(year, month, day) + (hour * 3600) + random.Next(3600);
    }

    private void AddItems(SampleRandom random, OlistOrder order)
    {
        order.Items.Clear();
        var none = order.Status switch
        {
            OrderStatus.Unavailable => random.Chance(0.99),
            OrderStatus.Created => true,
            OrderStatus.Canceled => random.Chance(0.26),
            _ => false,
        };
        if (none)
        {
            return;
        }

        var count = 1 + random.Pick(ItemCountWeights);
        var (product, covering) = NextProduct(random, order.Index);
        var seller = covering || random.Chance(0.97) ? world.ProductSeller[product] : world.PickSeller(random);
        for (var i = 0; i < count; i++)
        {
            if (i > 0 && !random.Chance(0.6))
            {
                product = world.PickProduct(random);
                seller = world.ProductSeller[product];
            }

            long price = world.ProductPriceCents[product];
            if (random.Chance(0.2))
            {
                price = Math.Max(85, (long)Math.Round(price * (0.9 + (0.2 * random.NextDouble()))));
            }

            var distance = world.Distance(order.CustomerState, world.StateOf(world.SellerPrefix[seller]));
            var freight = random.Chance(0.003)
                ? 0
                : (long)Math.Clamp(
                    Math.Round(100 * (10 + (2.0 * world.ProductWeight[product] / 1000.0) + (4.5 * distance) + (3 * random.NextDouble()))
                        * SampleMath.Exp(0.25 * random.Normal())),
                    100,
                    41_000);
            order.Items.Add(new OrderItem(product, seller, price, freight, 0));
        }
    }

    /// <summary>
    /// Every product is sold at least once, as in the published data: orders take the next unsold product (in a seeded
    /// order) often enough to have sold them all about 2% before the last order, and a popular one otherwise.
    /// </summary>
    private (int Product, bool Covering) NextProduct(SampleRandom random, long orderIndex)
    {
        var products = world.Volumes.Products;
        if (_productsCovered < products && _productsCovered * world.Volumes.Orders <= orderIndex * products * 1.02)
        {
            return (world.ProductInSeededOrder(_productsCovered++), true);
        }

        return (world.PickProduct(random), false);
    }

    private void SetDates(SampleRandom random, OlistOrder order, PaymentType primary)
    {
        var status = order.Status;
        var purchase = order.Purchase;
        long? approved = status == OrderStatus.Created || (status == OrderStatus.Canceled && random.Chance(0.15))
            ? null
            : purchase + (primary == PaymentType.Boleto
                ? (20 * 3600) + random.Next(60 * 3600)
                : random.Chance(0.85) ? random.Next(600, 3600) : random.Next(3600, 24 * 3600));

        var sellerState = order.Items.Count > 0 ? world.StateOf(world.SellerPrefix[order.Items[0].Seller]) : order.CustomerState;
        var distance = world.Distance(order.CustomerState, sellerState);
        var estimated = SampleClock.StartOfDay(purchase) + ((16 + (long)Math.Round(5 * distance) + random.Next(10)) * SampleClock.SecondsPerDay);
        var unreliability = order.Items.Count > 0 ? world.SellerUnreliability[order.Items[0].Seller] : 0;

        long? carrier = null;
        if (approved is not null && (status is OrderStatus.Delivered or OrderStatus.Shipped || (status == OrderStatus.Canceled && random.Chance(0.1))))
        {
            var handlingHours = (12 + random.Next(60)) * (1 + (0.3 * Math.Max(unreliability, 0)));
            carrier = Math.Min(approved.Value + (long)(handlingHours * 3600) + random.Next(3600), estimated - (2 * SampleClock.SecondsPerDay));
        }

        long? delivered = null;
        order.LateChance = 0;
        if (status == OrderStatus.Delivered && carrier is not null)
        {
            var product = order.Items[0].Product;
            var month = SampleClock.ToDateTime(purchase).Month;
            order.LateChance = SampleMath.Logistic(
                LateBase
                + (LateSellerWeight * unreliability)
                + (LateDistanceWeight * distance)
                + world.ProductLateEffect[product]
                + LateSeason[month - 1]
                + (LateNoise * random.Normal()));
            if (random.Chance(order.LateChance))
            {
                var daysLate = random.Chance(0.15) ? 0 : 1;
                while (daysLate > 0 && daysLate < 120 && random.Chance(0.875))
                {
                    daysLate++;
                }

                delivered = estimated + (daysLate * SampleClock.SecondsPerDay) + random.Next(6 * 3600, 22 * 3600);
            }
            else
            {
                var transit = (long)((2 + (2.5 * distance) + random.Next(8)) * SampleClock.SecondsPerDay) + random.Next((int)SampleClock.SecondsPerDay);
                delivered = Math.Max(Math.Min(carrier.Value + transit, estimated - random.Next(3600, 20 * 3600)), carrier.Value + 3600);
            }
        }

        order.Approved = approved;
        order.Carrier = carrier;
        order.Delivered = delivered;
        order.Estimated = estimated;

        var limitBase = approved ?? purchase;
        for (var i = 0; i < order.Items.Count; i++)
        {
            order.Items[i] = order.Items[i] with { ShippingLimit = limitBase + (6 * SampleClock.SecondsPerDay) + random.Next(-3 * 3600, 3 * 3600) };
        }
    }

    private static void AddPayments(SampleRandom random, OlistOrder order, PaymentType primary)
    {
        order.Payments.Clear();
        long total = 0;
        foreach (var item in order.Items)
        {
            total += item.PriceCents + item.FreightCents;
        }

        if (total == 0)
        {
            total = 1_500 + (long)Math.Round(8_000 * SampleMath.Exp(0.8 * random.Normal()));
        }

        var vouchers = 0;
        if (primary is PaymentType.CreditCard or PaymentType.Voucher && random.Chance(VoucherExtraChance))
        {
            vouchers = 1;
            while (vouchers < 28 && random.Chance(0.33))
            {
                vouchers++;
            }
        }

        var remaining = total;
        var voucherValues = new long[vouchers];
        for (var v = 0; v < vouchers; v++)
        {
            var share = (long)Math.Round(total * (0.05 + (0.45 * random.NextDouble())) / vouchers);
            voucherValues[v] = Math.Min(share, remaining - 1);
            remaining -= voucherValues[v];
        }

        var installments = primary == PaymentType.CreditCard ? 1 + random.Pick(Installments) : 1;
        order.Payments.Add(new OrderPayment(primary, installments, remaining));
        foreach (var value in voucherValues)
        {
            order.Payments.Add(new OrderPayment(PaymentType.Voucher, 1, value));
        }
    }

    private void AddReview(OlistOrder order)
    {
        var random = new SampleRandom(world.Seed, SampleStream.Review, order.Index);
        order.HasReview = random.Chance(ReviewChance) || order.Index == 0;
        order.ReviewTitle = null;
        order.ReviewMessage = null;
        if (!order.HasReview)
        {
            return;
        }

        var onTime = order.Delivered is not null && !order.IsLate;
        order.ReviewScore = 1 + random.Pick(onTime ? ScoresOnTime : ScoresLate);
        if (random.Chance(TitleChance))
        {
            order.ReviewTitle = _text.Title(random, order.ReviewScore);
        }

        if (random.Chance(MessageChance[order.ReviewScore - 1]))
        {
            order.ReviewMessage = _text.Message(random, order.ReviewScore, order.IsLate, _messages++);
        }

        var basis = order.Delivered ?? order.Estimated;
        order.ReviewCreated = SampleClock.StartOfDay(basis) + (random.Chance(0.7) ? SampleClock.SecondsPerDay : 0);
        order.ReviewAnswered = order.ReviewCreated + (random.Chance(0.9) ? random.Next(3 * 3600, 72 * 3600) : random.Next(72 * 3600, 10 * 24 * 3600));
    }
}
