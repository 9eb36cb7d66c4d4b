using System.Text.RegularExpressions;

namespace OpenTrace.Core.Retrieval;

/// <summary>
/// Masks personal data in text before it is embedded, indexed or returned: e-mail addresses, Brazilian phone numbers
/// (<c>(11) 98765-4321</c>, <c>+55 11 98765-4321</c>, <c>11987654321</c>, landlines), CPF and CNPJ numbers.
/// Silver already scrubs review comments; this is the second line of defence, so a missed value upstream never
/// reaches a vector, a snippet or an answer.
/// </summary>
public static partial class PiiScrubber
{
    /// <summary>What an e-mail address is replaced with.</summary>
    public const string EmailMask = "[email removed]";

    /// <summary>What a phone number is replaced with.</summary>
    public const string PhoneMask = "[phone removed]";

    /// <summary>What a CPF or CNPJ number is replaced with.</summary>
    public const string DocumentNumberMask = "[id number removed]";

    /// <summary><paramref name="text"/> with every e-mail address, phone number, CPF and CNPJ masked; null stays null.</summary>
    public static string? Scrub(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return text;
        }

        // Cheap pre-checks: most text has neither '@' nor eight digits.
        if (text.Contains('@', StringComparison.Ordinal))
        {
            text = Email().Replace(text, EmailMask);
        }

        if (HasEightDigits(text))
        {
            text = Cnpj().Replace(text, DocumentNumberMask);
            text = Cpf().Replace(text, DocumentNumberMask);
            text = Phone().Replace(text, PhoneMask);
        }

        return text;
    }

    // Every masked number has at least eight digits (a landline without area code).
    private static bool HasEightDigits(string text)
    {
        var digits = 0;
        foreach (var c in text)
        {
            if (char.IsAsciiDigit(c) && ++digits >= 8)
            {
                return true;
            }
        }

        return false;
    }

    [GeneratedRegex(@"[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}", RegexOptions.CultureInvariant)]
    private static partial Regex Email();

    [GeneratedRegex(@"(?<![0-9A-Za-z])\d{2}\.?\d{3}\.?\d{3}/\d{4}-?\d{2}(?![0-9A-Za-z])", RegexOptions.CultureInvariant)]
    private static partial Regex Cnpj();

    [GeneratedRegex(@"(?<![0-9A-Za-z])\d{3}\.\d{3}\.\d{3}-\d{2}(?![0-9A-Za-z])", RegexOptions.CultureInvariant)]
    private static partial Regex Cpf();

    // Optional +55, a two-digit area code (bare or in parentheses), then 8 or 9 digits in two groups.
    [GeneratedRegex(@"(?<![0-9A-Za-z+])(?:\+\s?55[\s.\-]?)?(?:\(\s?\d{2}\s?\)|\d{2})[\s.\-]?9?\d{4}[\s.\-]?\d{4}(?![0-9A-Za-z])", RegexOptions.CultureInvariant)]
    private static partial Regex Phone();
}
