using System.Text.RegularExpressions;

namespace OpenTrace.Core.Samples;

/// <summary>A kind of personal data seeded into review comments, with a pattern that finds every seeded value.</summary>
/// <param name="Name">Short name, e.g. <c>phone_international</c>.</param>
/// <param name="Example">What a seeded value looks like.</param>
/// <param name="Pattern">A .NET regular expression matching every value of this format the generator seeds.</param>
public sealed record OlistPiiFormat(string Name, string Example, string Pattern)
{
    /// <summary>The compiled <see cref="Pattern"/>.</summary>
    public Regex Regex { get; } = new(Pattern, RegexOptions.CultureInvariant);
}

/// <summary>
/// Personal data seeded into <c>review_comment_message</c> (never titles or other columns), which silver must mask.
/// Counting only reviews that have a message, one in <see cref="EmailOneIn"/> gets an e-mail address and one in
/// <see cref="PhoneOneIn"/> a phone number (now and then the same message gets both), at seeded positions in each block, so the fraction is exact and
/// deterministic; phone formats rotate from block to block.
/// </summary>
public static class OlistPii
{
    /// <summary>One comment message in 25 (4%) contains an e-mail address.</summary>
    public const int EmailOneIn = 25;

    /// <summary>One comment message in 25 (4%) contains a phone number.</summary>
    public const int PhoneOneIn = 25;

    /// <summary>
    /// One comment message in 20 (5%) spans lines: its sentences are separated by CRLF (by LF in every third such
    /// message), so the field is quoted with embedded line breaks.
    /// </summary>
    public const int MultiLineOneIn = 20;

    /// <summary>Lower-case <c>name.surname@provider</c>, <c>namesurnameNN@provider</c> or <c>name_surname@provider</c>,
    /// providers such as gmail.com, hotmail.com, uol.com.br, bol.com.br, yahoo.com.br, terra.com.br.</summary>
    public static OlistPiiFormat Email { get; } =
        new("email", "maria.silva@uol.com.br", @"[a-z0-9._]+@[a-z0-9-]+(?:\.[a-z]{2,})+");

    /// <summary>A mobile number with the area code in parentheses: <c>(11) 98765-4321</c>.</summary>
    public static OlistPiiFormat PhoneParenthesised { get; } =
        new("phone_parenthesised", "(11) 98765-4321", @"\(\d{2}\) 9\d{4}-\d{4}");

    /// <summary>A mobile number with the country code: <c>+55 11 98765-4321</c>.</summary>
    public static OlistPiiFormat PhoneInternational { get; } =
        new("phone_international", "+55 11 98765-4321", @"\+55 \d{2} 9\d{4}-\d{4}");

    /// <summary>A mobile number as eleven bare digits: <c>11987654321</c>.</summary>
    public static OlistPiiFormat PhoneDigits { get; } =
        new("phone_digits", "11987654321", @"(?<![0-9A-Za-z])\d{2}9\d{8}(?![0-9A-Za-z])");

    /// <summary>Every seeded format.</summary>
    public static IReadOnlyList<OlistPiiFormat> Formats { get; } = [Email, PhoneParenthesised, PhoneInternational, PhoneDigits];

    /// <summary>The phone formats, in the order they rotate.</summary>
    public static IReadOnlyList<OlistPiiFormat> PhoneFormats { get; } = [PhoneParenthesised, PhoneInternational, PhoneDigits];

    /// <summary>Every match of any seeded format in <paramref name="text"/> (empty for null): what a masking step must
    /// leave none of.</summary>
    public static IReadOnlyList<string> FindAll(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return [];
        }

        var found = new List<string>();
        foreach (var format in Formats)
        {
            foreach (Match match in format.Regex.Matches(text))
            {
                found.Add(match.Value);
            }
        }

        return found;
    }
}
