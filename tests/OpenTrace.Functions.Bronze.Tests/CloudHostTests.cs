using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using OpenTrace.Core.Bronze;
using OpenTrace.Core.Configuration;
using OpenTrace.Core.Storage;
using OpenTrace.Core.Warehouse;
using OpenTrace.Gcp.BigQuery;
using OpenTrace.Gcp.Storage;
using OpenTrace.Gcp;
using OpenTrace.Hosting;

namespace OpenTrace.Functions.Bronze.Tests;

public sealed class CloudHostTests
{
    [Fact]
    public async Task Build_WithProjectAndRegion_ComposesTheFunctionOnTheGoogleAdapters()
    {
        string[] settings = ["--GOOGLE_CLOUD_PROJECT=acme-data", "--GOOGLE_CLOUD_REGION=europe-west1"];

        await using var app = FunctionsHost.Build(settings, GcpFunctionsHost.Options<BronzeFunction>(IPAddress.Loopback, 0));

        Assert.NotNull(app.Services.GetRequiredService<BronzeFunction>());
        Assert.NotNull(app.Services.GetRequiredService<BronzeIngestor>());
        Assert.IsType<GcsObjectStore>(app.Services.GetRequiredService<IObjectStore>());
        Assert.IsType<BigQueryWarehouse>(app.Services.GetRequiredService<IWarehouse>());
        var options = app.Services.GetRequiredService<IOptions<OpenTraceOptions>>().Value;
        Assert.Equal(("acme-data-bronze", "acme-data-lake"), (options.BronzeBucket, options.LakeBucket));
    }

    [Fact]
    public async Task Start_WithoutAProject_FailsNamingTheSetting()
    {
        if (Environment.GetEnvironmentVariable("GOOGLE_CLOUD_PROJECT") is not null)
        {
            Assert.Skip("GOOGLE_CLOUD_PROJECT is set in this environment.");
        }

        await using var app = FunctionsHost.Build([], GcpFunctionsHost.Options<BronzeFunction>(IPAddress.Loopback, 0));

        var ex = await Assert.ThrowsAnyAsync<Exception>(() => app.StartAsync(TestContext.Current.CancellationToken));

        Assert.Contains("GOOGLE_CLOUD_PROJECT", ex.Message, StringComparison.Ordinal);
    }
}
