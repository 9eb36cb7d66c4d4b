using System.Text.RegularExpressions;

namespace OpenTrace.Core.Silver;

/// <summary>
/// Removes personal data from free text: e-mail addresses become <c>[email]</c>, Brazilian phone numbers
/// <c>[phone]</c>, CPF numbers <c>[cpf]</c> and CNPJ numbers <c>[cnpj]</c>. Phones are recognised with a country code
/// (<c>+55 11 98765-4321</c>), an area code in parentheses (<c>(11) 98765-4321</c>, <c>(11) 3456-7890</c>) or as
/// area code plus number (<c>11 98765 4321</c>, <c>11987654321</c>); eleven bare digits that pass the CPF check
/// digits count as a CPF. Text without an '@' and with fewer than eight digits is returned as is, without a regex.
/// </summary>
public static partial class TextScrubber
{
    /// <summary>Replaces an e-mail address.</summary>
    public const string EmailToken = "[email]";

    /// <summary>Replaces a phone number.</summary>
    public const string PhoneToken = "[phone]";

    /// <summary>Replaces a CPF (individual taxpayer number).</summary>
    public const string CpfToken = "[cpf]";

    /// <summary>Replaces a CNPJ (company taxpayer number).</summary>
    public const string CnpjToken = "[cnpj]";

    private static readonly MatchEvaluator Replace = Replacement;

    /// <summary>The text without personal data; null stays null.</summary>
    public static string? Scrub(string? text)
    {
        if (string.IsNullOrEmpty(text) || !MayContainPersonalData(text))
        {
            return text;
        }

        return PersonalData().Replace(text, Replace);
    }

    /// <summary>True when the text has an '@' or at least eight digits (anything less cannot hold what is scrubbed).</summary>
    public static bool MayContainPersonalData(ReadOnlySpan<char> text)
    {
        var digits = 0;
        foreach (var c in text)
        {
            if (c == '@')
            {
                return true;
            }

            if (char.IsAsciiDigit(c) && ++digits >= 8)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>True when the UTF-8 text has an '@' or at least eight digits.</summary>
    public static bool MayContainPersonalData(ReadOnlySpan<byte> utf8)
    {
        var digits = 0;
        foreach (var c in utf8)
        {
            if (c == '@')
            {
                return true;
            }

            if ((uint)(c - '0') <= 9 && ++digits >= 8)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>True when eleven digits carry valid CPF check digits (and are not one digit repeated).</summary>
    public static bool IsValidCpf(ReadOnlySpan<char> digits)
    {
        if (digits.Length != 11 || digits.ContainsAnyExceptInRange('0', '9') || digits.IndexOfAnyExcept(digits[0]) < 0)
        {
            return false;
        }

        for (var check = 9; check <= 10; check++)
        {
            var sum = 0;
            for (var i = 0; i < check; i++)
            {
                sum += (digits[i] - '0') * (check + 1 - i);
            }

            var expected = sum * 10 % 11 % 10;
            if (digits[check] - '0' != expected)
            {
                return false;
            }
        }

        return true;
    }

    private static string Replacement(Match match)
    {
        if (match.Groups["email"].Success)
        {
            return EmailToken;
        }

        if (match.Groups["cnpj"].Success)
        {
            return CnpjToken;
        }

        if (match.Groups["cpf"].Success)
        {
            return CpfToken;
        }

        if (match.Groups["digits11"].Success)
        {
            return IsValidCpf(match.Value) ? CpfToken : PhoneToken;
        }

        return PhoneToken;
    }

    // Order matters: longer, more specific shapes first, so a CNPJ is not read as a phone number.
    [GeneratedRegex(
        @"(?<email>[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,})"
        + @"|(?<![\d])(?:(?<cnpj>\d{2}\.\d{3}\.\d{3}/\d{4}-\d{2}|\d{14})"
        + @"|(?<cpf>\d{3}\.\d{3}\.\d{3}-\d{2})"
        + @"|(?<digits11>\d{11})"
        + @"|(?<phone>\+\s?55\s?\(?\d{2}\)?[\s.\-]?9?\d{4}[\s.\-]?\d{4}"
        + @"|\(0?\d{2}\)\s?9?\d{4}[\s.\-]?\d{4}"
        + @"|\d{2}[\s.\-]?9\d{4}[\s.\-]?\d{4}"
        + @"|\d{2}[\s.\-][2-5]\d{3}[\s.\-]?\d{4}))(?![\d])",
        RegexOptions.CultureInvariant | RegexOptions.ExplicitCapture)]
    private static partial Regex PersonalData();
}
