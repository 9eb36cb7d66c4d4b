using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using OpenTrace.Core.Configuration;
using OpenTrace.Core.Gold;
using OpenTrace.Core.Storage;
using OpenTrace.Core.Warehouse;
using OpenTrace.Gcp.BigQuery;
using OpenTrace.Gcp.Storage;
using OpenTrace.Gcp;
using OpenTrace.Hosting;

namespace OpenTrace.Functions.Gold.Tests;

public sealed class CloudHostTests
{
    [Fact]
    public async Task Build_WithProjectAndRegion_ComposesTheFunctionOnTheGoogleAdapters()
    {
        string[] settings = ["--GOOGLE_CLOUD_PROJECT=acme-data", "--GOOGLE_CLOUD_REGION=europe-west1"];

        await using var app = FunctionsHost.Build(settings, GcpFunctionsHost.Options<GoldFunction>(IPAddress.Loopback, 0));

        Assert.NotNull(app.Services.GetRequiredService<GoldFunction>());
        Assert.Equal(13, app.Services.GetRequiredService<GoldRunner>().Project.Models.Count);
        Assert.IsType<GcsObjectStore>(app.Services.GetRequiredService<IObjectStore>());
        Assert.IsType<BigQueryWarehouse>(app.Services.GetRequiredService<IWarehouse>());
        Assert.Equal("acme-data-lake", app.Services.GetRequiredService<IOptions<OpenTraceOptions>>().Value.LakeBucket);
    }
}
