using System.Diagnostics;

namespace OpenTrace.Core.Samples;

/// <summary>
/// Generates the nine files of the public Olist e-commerce dataset (<see cref="OlistDataset"/>) at any scale:
/// published file names, headers and formats, referential integrity across files, realistic distributions and a
/// learnable late-delivery signal. Deterministic: the same <see cref="OlistGeneratorOptions.Seed"/> and
/// <see cref="OlistGeneratorOptions.Scale"/> give byte-identical files on every machine and runtime (own PRNG,
/// integer and IEEE-basic arithmetic only, invariant formatting, no hash-order dependence). Streams: memory stays
/// flat (about 2 MB of arrays at scale 1 plus 64 KiB of buffer per open file), whatever the scale.
/// </summary>
/// <remarks>
/// <para><b>Formats.</b> UTF-8 without BOM, LF line ends, a header row, comma-delimited, fields quoted only when they
/// hold a comma, quote or line break. Ids are 32 lower-case hex characters; timestamps <c>yyyy-MM-dd HH:mm:ss</c>
/// (estimated delivery and review creation at midnight); zip prefixes are 5-digit text (<c>01310</c>); prices, freight
/// and payments have 2 decimals; latitude and longitude 14.</para>
/// <para><b>Volumes</b> scale linearly from the published ones (<see cref="OlistVolumes"/>): at scale 1, 99,441 orders and
/// customers, 32,951 products, 3,095 sellers, 71 categories, 1,000,163 geolocation rows over 19,015 zip prefixes, and
/// about 112,600 items, 103,900 payments and 99,200 reviews.</para>
/// <para><b>Distributions.</b> Order status: delivered 97.0%, shipped 1.1%, canceled 0.6%, unavailable 0.6%,
/// invoiced 0.3%, processing 0.3%, created and approved a few per 100,000. Purchases from 2016-09 to 2018-10 following
/// the published monthly volumes (growth through 2017, a Black Friday spike on 2017-11-24). Customers' states follow
/// the published customer counts (SP 42%, RJ 13%, MG 12%, ...), sellers' the published seller counts (SP 60%).
/// Items per order: 1 for 90%, 2 for 7.6%, up to 21. Payment rows: credit_card 74%, boleto 19%, voucher 5.5%,
/// debit_card 1.5%; card installments 1–24, mostly 1–10; about 3% of orders add 1–28 voucher rows with
/// <c>payment_sequential</c> 2 and up; payments add up to the items' price plus freight. Reviews for 99.8% of orders,
/// scores 5 ≈ 57%, 4 ≈ 19%, 3 ≈ 8%, 2 ≈ 3%, 1 ≈ 12%, far lower when late; about 40% carry a Portuguese comment,
/// 12% a title (comments' multi-line and personal data: <see cref="OlistPii"/>). Estimated delivery 16–25 days after
/// purchase plus 5 days per 1,000 km between the customer's and the seller's state; approval minutes after purchase
/// (1–3 days for boleto), carrier hand-over days after approval; dates are null where the status says the step has
/// not happened (created: no approval; only shipped and delivered have a carrier date; only delivered a delivery date).</para>
/// <para><b>Late deliveries</b> (delivered after the estimated date; about 8% of delivered orders) follow
/// log-odds = −4.4 + 1.7 × seller unreliability (standard normal per seller, weighted by sales) + 0.9 × distance between the customer's
/// and the first item's seller's state (thousands of km) + category effect (−0.2 to +0.5, bulky furniture and appliances
/// highest) + 0.25 × product weight z-score + season (Nov +0.75, Dec +0.4, Feb +0.45, Mar +0.55 for Carnival,
/// Jun −0.3) + 0.3 × noise. A late order is delivered 0–120 days after the estimate, an on-time one before it.
/// A gradient-boosted model on the seller's historic late rate, state distance, category, weight and month reaches a
/// holdout AUC of about 0.8 at scale 1. Order 0 is always delivered and reviewed, so every file has rows at any scale.</para>
/// <para><b>Dirt</b> (<see cref="OlistGeneratorOptions.Dirty"/>): see <see cref="OlistDirt"/>.</para>
/// </remarks>
public sealed class OlistGenerator
{
    /// <summary>Progress is reported every this many rows of a file.</summary>
    public const int ProgressInterval = 10_000;

    /// <summary>Creates a generator; throws <see cref="ArgumentOutOfRangeException"/> for invalid options.</summary>
    public OlistGenerator(OlistGeneratorOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        Options = options;
        Volumes = OlistVolumes.ForScale(options.Scale);
    }

    /// <summary>The options this generator runs with.</summary>
    public OlistGeneratorOptions Options { get; }

    /// <summary>The entity counts it will write.</summary>
    public OlistVolumes Volumes { get; }

    /// <summary>
    /// Writes the nine files into <paramref name="directory"/> (created if missing) under their published names,
    /// replacing files of the same name. On failure or cancellation the files it created are deleted.
    /// </summary>
    /// <param name="directory">Target folder.</param>
    /// <param name="progress">Receives rows written (null: no reports).</param>
    /// <param name="cancellationToken">Stops the generation.</param>
    public async Task<OlistGenerationSummary> WriteToDirectoryAsync(
        string directory, IProgress<OlistGenerationProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        Directory.CreateDirectory(directory);
        var created = new List<string>();
        try
        {
            return await WriteAsync(
                fileName =>
                {
                    var path = Path.Combine(directory, fileName);
                    created.Add(path);
                    return new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.Read, 1 << 16, FileOptions.Asynchronous);
                },
                progress,
                cancellationToken);
        }
        catch
        {
            foreach (var path in created)
            {
                try
                {
                    File.Delete(path);
                }
                catch (IOException)
                {
                }
            }

            throw;
        }
    }

    /// <summary>
    /// Writes the nine files to streams the caller supplies. <paramref name="openFile"/> is called once per published
    /// file name, in generation order (the translation, geolocation, customers, sellers, products, then orders, items,
    /// payments and reviews together: at most four streams are open at once). Each stream is flushed and disposed
    /// when its file is complete, or disposed when the generation fails.
    /// </summary>
    /// <param name="openFile">Opens the stream for a file name, e.g. <c>olist_orders_dataset.csv</c>; it must not return null.</param>
    /// <param name="progress">Receives rows written (null: no reports).</param>
    /// <param name="cancellationToken">Stops the generation.</param>
    public async Task<OlistGenerationSummary> WriteAsync(
        Func<string, Stream> openFile, IProgress<OlistGenerationProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(openFile);
        var stopwatch = Stopwatch.StartNew();
        var run = new GenerationRun(new OlistWorld(Options), openFile, new ProgressSink(progress));
        try
        {
            await run.WriteAllAsync(cancellationToken);
        }
        catch
        {
            await run.AbandonAsync();
            throw;
        }

        var files = OlistDataset.Files
            .Select(f => run.Completed.Single(w => w.File == f))
            .Select(w => new OlistFileSummary(w.File.FileName, w.File.Table, w.Rows, w.Bytes))
            .ToList();
        return new OlistGenerationSummary(Options, files, stopwatch.Elapsed);
    }

    /// <summary>One generation: opens the writers, walks the entities, applies the dirt.</summary>
    private sealed class GenerationRun(OlistWorld world, Func<string, Stream> openFile, ProgressSink progress)
    {
        private const int CancellationCheckInterval = 1024;
        private readonly List<CsvFileWriter> _open = [];
        private readonly long _seed = world.Seed;
        private readonly bool _dirty = world.Options.Dirty;

        public List<CsvFileWriter> Completed { get; } = [];

        public async Task WriteAllAsync(CancellationToken cancellationToken)
        {
            await WriteCategoriesAsync(cancellationToken);
            await WriteGeolocationAsync(cancellationToken);
            await WriteCustomersAsync(cancellationToken);
            await WriteSellersAsync(cancellationToken);
            await WriteProductsAsync(cancellationToken);
            await WriteOrdersAsync(cancellationToken);
        }

        public async Task AbandonAsync()
        {
            foreach (var writer in _open)
            {
                try
                {
                    await writer.AbandonAsync();
                }
                catch (IOException)
                {
                }
            }

            _open.Clear();
        }

        private CsvFileWriter Open(OlistFile file)
        {
            var stream = openFile(file.FileName)
                ?? throw new InvalidOperationException($"The stream factory returned null for '{file.FileName}'.");
            var writer = new CsvFileWriter(file, stream, _seed, duplicateRows: _dirty && file != OlistDataset.CategoryTranslation, progress);
            _open.Add(writer);
            return writer;
        }

        private async Task CompleteAsync(CsvFileWriter writer, CancellationToken cancellationToken)
        {
            await writer.CompleteAsync(cancellationToken);
            _open.Remove(writer);
            Completed.Add(writer);
        }

        private static async ValueTask RowDoneAsync(CsvFileWriter writer, long row, CancellationToken cancellationToken)
        {
            if (row % CancellationCheckInterval == 0)
            {
                cancellationToken.ThrowIfCancellationRequested();
            }

            await writer.FlushIfFullAsync(cancellationToken);
        }

        private DirtyColumn Column(string name) => new(_seed, name, _dirty);

        private async Task WriteCategoriesAsync(CancellationToken cancellationToken)
        {
            var writer = Open(OlistDataset.CategoryTranslation);
            foreach (var category in OlistCategories.All)
            {
                writer.Field(category.Name);
                writer.Field(category.English);
                writer.EndRow();
            }

            await CompleteAsync(writer, cancellationToken);
        }

        private async Task WriteGeolocationAsync(CancellationToken cancellationToken)
        {
            const long Jitter = 15_000_000_000_000; // ±0.15 degrees in 1e-14 degree units, spread of one prefix's rows
            var writer = Open(OlistDataset.Geolocation);
            var city = Column("geolocation_city");
            var state = Column("geolocation_state");
            long row = 0;
            for (var prefix = 0; prefix < world.PrefixCount; prefix++)
            {
                var random = new SampleRandom(_seed, SampleStream.GeoRow, prefix);
                var place = world.City(prefix);
                var stateCode = world.State(world.StateOf(prefix)).Code;
                for (long r = 0; r < world.GeolocationRows(prefix); r++, row++)
                {
                    writer.Zip(world.Zip(prefix));
                    writer.Fixed(world.LatitudeE14(prefix) + (random.NextLong(Jitter / 10) - (Jitter / 20)), 14);
                    writer.Fixed(world.LongitudeE14(prefix) + (random.NextLong(Jitter / 10) - (Jitter / 20)), 14);
                    city.Write(writer, row, place.Name, place.Accented);
                    state.Write(writer, row, stateCode);
                    writer.EndRow();
                    await RowDoneAsync(writer, row, cancellationToken);
                }
            }

            await CompleteAsync(writer, cancellationToken);
        }

        private async Task WriteCustomersAsync(CancellationToken cancellationToken)
        {
            var writer = Open(OlistDataset.Customers);
            var city = Column("customer_city");
            var state = Column("customer_state");
            for (long customer = 0; customer < world.Volumes.Customers; customer++)
            {
                var prefix = world.CustomerPrefix(customer);
                var place = world.City(prefix);
                writer.Field(world.Ids.Get(IdKind.Customer, customer));
                writer.Field(world.Ids.Get(IdKind.CustomerUnique, world.Person(customer)));
                writer.Zip(world.Zip(prefix));
                city.Write(writer, customer, place.Name, place.Accented);
                state.Write(writer, customer, world.State(world.StateOf(prefix)).Code);
                writer.EndRow();
                await RowDoneAsync(writer, customer, cancellationToken);
            }

            await CompleteAsync(writer, cancellationToken);
        }

        private async Task WriteSellersAsync(CancellationToken cancellationToken)
        {
            var writer = Open(OlistDataset.Sellers);
            var city = Column("seller_city");
            var state = Column("seller_state");
            for (var seller = 0; seller < world.Volumes.Sellers; seller++)
            {
                var prefix = world.SellerPrefix[seller];
                var place = world.City(prefix);
                writer.Field(world.Ids.Get(IdKind.Seller, seller));
                writer.Zip(world.Zip(prefix));
                city.Write(writer, seller, place.Name, place.Accented);
                state.Write(writer, seller, world.State(world.StateOf(prefix)).Code);
                writer.EndRow();
                await RowDoneAsync(writer, seller, cancellationToken);
            }

            await CompleteAsync(writer, cancellationToken);
        }

        private async Task WriteProductsAsync(CancellationToken cancellationToken)
        {
            var writer = Open(OlistDataset.Products);
            var category = Column("product_category_name");
            for (var product = 0; product < world.Volumes.Products; product++)
            {
                var random = new SampleRandom(_seed, SampleStream.ProductDetail, product);
                var weight = world.ProductWeight[product];
                var side = CubeRoot(weight * 4L);
                writer.Field(world.Ids.Get(IdKind.Product, product));
                category.Write(writer, product, OlistCategories.All[world.ProductCategory[product]].Name);
                writer.Field((long)Math.Clamp(Math.Round(48 + (10 * random.Normal())), 5, 76));
                writer.Field((long)Math.Clamp(Math.Round(600 * SampleMath.Exp(0.7 * random.Normal())), 4, 3992));
                writer.Field(random.Chance(0.5) ? 1 : 2 + (random.Chance(0.6) ? random.Next(2) : random.Next(2, 19)));
                writer.Field(weight);
                writer.Field(Math.Clamp((long)Math.Round(side * (1.0 + (0.6 * random.NextDouble()))), 16, 105));
                writer.Field(Math.Clamp((long)Math.Round(side * (0.3 + (0.7 * random.NextDouble()))), 2, 105));
                writer.Field(Math.Clamp((long)Math.Round(side * (0.8 + (0.5 * random.NextDouble()))), 6, 118));
                writer.EndRow();
                await RowDoneAsync(writer, product, cancellationToken);
            }

            await CompleteAsync(writer, cancellationToken);
        }

        private async Task WriteOrdersAsync(CancellationToken cancellationToken)
        {
            var orders = Open(OlistDataset.Orders);
            var items = Open(OlistDataset.OrderItems);
            var payments = Open(OlistDataset.OrderPayments);
            var reviews = Open(OlistDataset.OrderReviews);
            var status = Column("order_status");
            var approved = Column("order_approved_at");
            var paymentType = Column("payment_type");
            var impossibleDate = _dirty ? new BlockSampler(_seed, SampleStream.DirtDate, OlistDirt.ImpossibleDateOneIn) : null;
            var reusedReviewId = _dirty ? new BlockSampler(_seed, SampleStream.DirtReviewId, OlistDirt.DuplicateReviewIdOneIn) : null;
            var model = new OlistOrderModel(world);
            var order = new OlistOrder();
            long paymentRow = 0, reviewRow = 0;
            string? previousReviewId = null;
            for (long index = 0; index < world.Volumes.Orders; index++)
            {
                model.Simulate(index, order);
                var orderId = world.Ids.Get(IdKind.Order, index);

                WriteOrderRow(orders, order, orderId, status, approved, impossibleDate);

                for (var i = 0; i < order.Items.Count; i++)
                {
                    var item = order.Items[i];
                    items.Field(orderId);
                    items.Field(i + 1);
                    items.Field(world.Ids.Get(IdKind.Product, item.Product));
                    items.Field(world.Ids.Get(IdKind.Seller, item.Seller));
                    items.Timestamp(item.ShippingLimit);
                    items.Fixed(item.PriceCents, 2);
                    items.Fixed(item.FreightCents, 2);
                    items.EndRow();
                }

                for (var p = 0; p < order.Payments.Count; p++, paymentRow++)
                {
                    var payment = order.Payments[p];
                    payments.Field(orderId);
                    payments.Field(p + 1);
                    paymentType.Write(payments, paymentRow, OlistOrderModel.PaymentNames[(int)payment.Type]);
                    payments.Field(payment.Installments);
                    payments.Fixed(payment.ValueCents, 2);
                    payments.EndRow();
                }

                if (order.HasReview)
                {
                    var reviewId = reusedReviewId is not null && previousReviewId is not null && reusedReviewId.Hit(reviewRow)
                        ? previousReviewId
                        : world.Ids.Get(IdKind.Review, index);
                    reviews.Field(reviewId);
                    reviews.Field(orderId);
                    reviews.Field(order.ReviewScore);
                    reviews.Field(order.ReviewTitle);
                    reviews.Field(order.ReviewMessage);
                    reviews.Timestamp(order.ReviewCreated);
                    reviews.Timestamp(order.ReviewAnswered);
                    reviews.EndRow();
                    previousReviewId = reviewId;
                    reviewRow++;
                }

                await RowDoneAsync(orders, index, cancellationToken);
                await items.FlushIfFullAsync(cancellationToken);
                await payments.FlushIfFullAsync(cancellationToken);
                await reviews.FlushIfFullAsync(cancellationToken);
            }

            await CompleteAsync(orders, cancellationToken);
            await CompleteAsync(items, cancellationToken);
            await CompleteAsync(payments, cancellationToken);
            await CompleteAsync(reviews, cancellationToken);
        }

        private void WriteOrderRow(
            CsvFileWriter writer, OlistOrder order, string orderId, DirtyColumn status, DirtyColumn approved, BlockSampler? impossibleDate)
        {
            var index = order.Index;
            var dateDirt = impossibleDate is not null && impossibleDate.Hit(index) ? (int)(impossibleDate.Block(index) % 3) : -1;
            writer.Field(orderId);
            writer.Field(world.Ids.Get(IdKind.Customer, order.Customer));
            status.Write(writer, index, OlistOrderModel.StatusNames[(int)order.Status]);
            if (dateDirt == 1)
            {
                var time = SampleClock.ToDateTime(order.Purchase);
                var day = DateTime.DaysInMonth(time.Year, time.Month) + 1;
                writer.Field(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{time:yyyy-MM}-{day:D2} {time:HH:mm:ss}"));
            }
            else
            {
                writer.Timestamp(order.Purchase);
            }

            approved.Write(writer, index, order.Approved);
            writer.Timestamp(order.Carrier);
            writer.Timestamp(dateDirt == 0 ? order.Purchase - ((1 + (index % 30)) * SampleClock.SecondsPerDay) : order.Delivered);
            if (dateDirt == 2)
            {
                writer.Field("2099" + SampleClock.Format(order.Estimated)[4..]);
            }
            else
            {
                writer.Timestamp(order.Estimated);
            }

            writer.EndRow();
        }

        /// <summary>Integer cube root (largest n with n³ ≤ value), without the platform's libm.</summary>
        private static long CubeRoot(long value)
        {
            long n = 0;
            while ((n + 1) * (n + 1) * (n + 1) <= value)
            {
                n++;
            }

            return n;
        }
    }
}
