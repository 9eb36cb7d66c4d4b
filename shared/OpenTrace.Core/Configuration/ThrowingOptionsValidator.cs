using Microsoft.Extensions.Options;

namespace OpenTrace.Core.Configuration;

/// <summary>
/// Runs an options class's own <c>Validate()</c> (which throws <see cref="InvalidOperationException"/> naming the
/// first bad setting) at start, so that a bad setting stops the host with its name.
/// </summary>
internal sealed class ThrowingOptionsValidator<TOptions>(Action<TOptions> validate) : IValidateOptions<TOptions>
    where TOptions : class
{
    public ValidateOptionsResult Validate(string? name, TOptions options)
    {
        try
        {
            validate(options);
            return ValidateOptionsResult.Success;
        }
        catch (InvalidOperationException ex)
        {
            return ValidateOptionsResult.Fail(ex.Message);
        }
    }
}
