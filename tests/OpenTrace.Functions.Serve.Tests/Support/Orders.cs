using OpenTrace.Core.Training;
using OpenTrace.Functions.Features.Tests.Support;

namespace OpenTrace.Functions.Serve.Tests.Support;

/// <summary>Predict request bodies made from orders of the generated data.</summary>
internal static class Orders
{
    /// <summary>The predict request of the <paramref name="skip"/>-th delivered order (by id) bought after June 2018: its ids and request-time fields.</summary>
    public static async Task<Dictionary<string, object?>> RequestAsync(FeatureWorld world, int skip = 0)
    {
        var task = world.Catalog().Tasks.Single();
        var requests = await LabelledRequests.ReadAsync(
            world.Warehouse, task, limit: 1, offset: skip, after: new DateTimeOffset(2018, 6, 1, 0, 0, 0, TimeSpan.Zero), TestContext.Current.CancellationToken);
        return requests.Single();
    }
}
