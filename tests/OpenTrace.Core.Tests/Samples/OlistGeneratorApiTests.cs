using OpenTrace.Core.Samples;
using OpenTrace.Testing;

namespace OpenTrace.Core.Tests.Samples;

public sealed class OlistGeneratorApiTests
{
    [Fact]
    public async Task Progress_ReportsRowsAsTheyAreWrittenAndEveryFileOnce()
    {
        var reports = new List<OlistGenerationProgress>();
        var progress = new SynchronousProgress(reports.Add);

        var summary = await new OlistGenerator(new OlistGeneratorOptions { Scale = 0.02 })
            .WriteAsync(_ => new MemoryStream(), progress, TestContext.Current.CancellationToken);

        var completed = reports.Where(r => r.FileCompleted).ToList();
        Assert.Equal(OlistDataset.Files.Select(f => f.FileName).Order(), completed.Select(r => r.FileName).Order());
        Assert.All(completed, r => Assert.Equal(summary.Files.Single(f => f.FileName == r.FileName).Rows, r.FileRows));
        Assert.Contains(reports, r => !r.FileCompleted && r.FileRows == OlistGenerator.ProgressInterval);
        Assert.Equal(summary.TotalRows, reports[^1].TotalRows);
        Assert.Equal(reports.Select(r => r.TotalRows).Order(), reports.Select(r => r.TotalRows));
    }

    [Fact]
    public async Task WriteToDirectory_Cancelled_ThrowsAndLeavesNoFiles()
    {
        using var folder = new TempDirectory("olist-cancel");
        using var cancellation = new CancellationTokenSource();
        var progress = new SynchronousProgress(p =>
        {
            if (p.FileName == OlistDataset.Geolocation.FileName && p.FileRows >= OlistGenerator.ProgressInterval)
            {
                cancellation.Cancel();
            }
        });

        await Assert.ThrowsAnyAsync<OperationCanceledException>(
            () => new OlistGenerator(new OlistGeneratorOptions { Scale = 0.05 }).WriteToDirectoryAsync(folder.Path, progress, cancellation.Token));

        Assert.Empty(Directory.EnumerateFiles(folder.Path));
    }

    [Fact]
    public async Task WriteAsync_FactoryReturningNull_FailsNamingTheFile()
    {
        var error = await Assert.ThrowsAsync<InvalidOperationException>(
            () => new OlistGenerator(new OlistGeneratorOptions { Scale = 0.001 }).WriteAsync(_ => null!, cancellationToken: TestContext.Current.CancellationToken));

        Assert.Contains("product_category_name_translation.csv", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WriteAsync_DisposesEveryStreamItOpened()
    {
        var streams = new List<TrackingStream>();

        await new OlistGenerator(new OlistGeneratorOptions { Scale = 0.001 })
            .WriteAsync(_ => { var s = new TrackingStream(); streams.Add(s); return s; }, cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal(9, streams.Count);
        Assert.All(streams, s => Assert.True(s.Disposed));
    }

    /// <summary>Reports on the writing thread (Progress&lt;T&gt; would post to the thread pool and arrive late).</summary>
    private sealed class SynchronousProgress(Action<OlistGenerationProgress> report) : IProgress<OlistGenerationProgress>
    {
        public void Report(OlistGenerationProgress value) => report(value);
    }

    private sealed class TrackingStream : MemoryStream
    {
        public bool Disposed { get; private set; }

        protected override void Dispose(bool disposing)
        {
            Disposed = true;
            base.Dispose(disposing);
        }
    }
}
