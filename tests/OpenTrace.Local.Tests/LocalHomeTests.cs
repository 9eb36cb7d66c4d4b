using OpenTrace.Local.Runtime;

namespace OpenTrace.Local.Tests;

public sealed class LocalHomeTests
{
    [Fact]
    public void Resolve_OptionWinsOverTheEnvironment() =>
        Assert.Equal(Path.GetFullPath("/tmp/a"), LocalHome.Resolve("/tmp/a", _ => "/tmp/b").Path);

    [Fact]
    public void Resolve_EnvironmentWinsOverTheDefault() =>
        Assert.Equal(Path.GetFullPath("/tmp/b"), LocalHome.Resolve(null, name => name == LocalHome.EnvironmentVariable ? "/tmp/b" : null).Path);

    [Fact]
    public void Resolve_Default_IsDotOpenTraceInTheCurrentFolder() =>
        Assert.Equal(Path.Combine(Directory.GetCurrentDirectory(), ".opentrace"), LocalHome.Resolve(null, _ => null).Path);
}
