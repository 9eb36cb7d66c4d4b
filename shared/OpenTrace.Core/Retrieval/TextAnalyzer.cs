using System.Text;

namespace OpenTrace.Core.Retrieval;

/// <summary>
/// Turns text into search terms, the same way for documents and queries: lower case, Latin accents folded
/// (<c>não</c> → <c>nao</c>), split on anything that is not a letter or digit; identifiers joined by underscores are
/// kept whole and also split into their parts (<c>late_rate</c> → <c>late_rate</c>, <c>late</c>, <c>rate</c>), so a
/// question in words finds a column name. English and Portuguese stop words are dropped and English plurals and
/// verb endings are trimmed by a light stemmer.
/// </summary>
public static class TextAnalyzer
{
    /// <summary>Longest term kept; longer runs (hashes, ids) are cut to this length.</summary>
    public const int MaxTermLength = 40;

    private static readonly HashSet<string> StopWords = new(StringComparer.Ordinal)
    {
        // English
        "a", "about", "after", "all", "also", "an", "and", "any", "are", "as", "at", "be", "been", "before", "being",
        "both", "but", "by", "can", "could", "did", "do", "does", "doing", "each", "for", "from", "had", "has", "have",
        "having", "here", "how", "i", "if", "in", "into", "is", "it", "its", "itself", "just", "me", "more", "most",
        "my", "no", "nor", "not", "of", "off", "on", "once", "only", "or", "other", "our", "out", "over", "own", "same",
        "should", "so", "some", "such", "than", "that", "the", "their", "them", "then", "there", "these", "they",
        "this", "those", "through", "to", "too", "under", "until", "up", "very", "was", "we", "were", "what", "when",
        "where", "which", "while", "who", "whom", "why", "will", "with", "would", "you", "your", "yours", "s", "t",
        "shall", "may", "might", "must", "tell", "please", "explain", "describe", "mean", "means", "meaning", "exist", "exists",
        "happen", "happens",

        // Portuguese (review comments)
        "o", "os", "as", "um", "uma", "de", "da", "do", "das", "dos", "e", "em", "na", "no", "nas", "nos", "que",
        "para", "por", "com", "se", "ao", "aos", "mas", "foi", "ja", "eu", "me", "meu", "minha", "ele", "ela",
    };

    /// <summary>The analysed terms of <paramref name="text"/>, in order, repeats kept (term frequency matters).</summary>
    public static List<string> Terms(string? text)
    {
        var terms = new List<string>();
        AddTerms(text, terms);
        return terms;
    }

    /// <summary>Appends the analysed terms of <paramref name="text"/> to <paramref name="terms"/>.</summary>
    public static void AddTerms(string? text, List<string> terms)
    {
        ArgumentNullException.ThrowIfNull(terms);
        foreach (var word in Words(text))
        {
            AddWord(word, terms);
        }
    }

    /// <summary>
    /// The folded, lower-case words of <paramref name="text"/> before stop words and stemming, underscores kept
    /// inside words (<c>product_name_lenght</c> is one word).
    /// </summary>
    public static IEnumerable<string> Words(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            yield break;
        }

        var word = new StringBuilder(16);
        foreach (var c in text)
        {
            var folded = Fold(c);
            if (char.IsLetterOrDigit(folded) || (folded == '_' && word.Length > 0))
            {
                word.Append(folded);
                continue;
            }

            if (word.Length > 0)
            {
                yield return Finish(word);
            }
        }

        if (word.Length > 0)
        {
            yield return Finish(word);
        }
    }

    /// <summary>True when <paramref name="word"/> (already lower case and folded) carries no meaning for search.</summary>
    public static bool IsStopWord(string word) => StopWords.Contains(word);

    /// <summary>
    /// A light English stemmer: plurals (<c>deliveries</c> → <c>delivery</c>, <c>orders</c> → <c>order</c>), the
    /// endings <c>-ing</c>, <c>-ed</c> when a stem of at least four letters remains (<c>delivered</c> → <c>deliver</c>,
    /// <c>shipping</c> → <c>ship</c>), and a final <c>e</c> of longer words, so <c>arrive</c>, <c>arrived</c> and
    /// <c>arriving</c> meet (<c>arriv</c>).
    /// Words with digits or underscores are left alone.
    /// </summary>
    public static string Stem(string word)
    {
        ArgumentNullException.ThrowIfNull(word);
        if (word.Length <= 3 || word.Any(c => char.IsDigit(c) || c == '_'))
        {
            return word;
        }

        return DropFinalE(Suffix(word));
    }

    private static string Suffix(string word)
    {
        if (word.EndsWith("ies", StringComparison.Ordinal) && word.Length > 4)
        {
            return string.Concat(word.AsSpan(0, word.Length - 3), "y");
        }

        if (word.EndsWith("sses", StringComparison.Ordinal) || word.EndsWith("xes", StringComparison.Ordinal) || word.EndsWith("ches", StringComparison.Ordinal) || word.EndsWith("shes", StringComparison.Ordinal))
        {
            return word[..^2];
        }

        if (word.EndsWith('s') && !word.EndsWith("ss", StringComparison.Ordinal) && !word.EndsWith("us", StringComparison.Ordinal) && !word.EndsWith("is", StringComparison.Ordinal))
        {
            return word[..^1];
        }

        if (word.EndsWith("ing", StringComparison.Ordinal) && word.Length >= 7)
        {
            return Undouble(word[..^3]);
        }

        if (word.EndsWith("ed", StringComparison.Ordinal) && word.Length >= 6 && !word.EndsWith("eed", StringComparison.Ordinal))
        {
            return Undouble(word[..^2]);
        }

        return word;
    }

    // arrive, arrived and arriving all become arriv; short words (late, rate, case) keep their e.
    private static string DropFinalE(string stem) =>
        stem.Length > 4 && stem[^1] == 'e' && stem[^2] != 'e' ? stem[..^1] : stem;

    // shipp → ship, stopp → stop; ll, ss and zz stay (install, process).
    private static string Undouble(string stem) =>
        stem.Length >= 3 && stem[^1] == stem[^2] && stem[^1] is not ('l' or 's' or 'z') && !"aeiou".Contains(stem[^1], StringComparison.Ordinal)
            ? stem[..^1]
            : stem;

    /// <summary>Folds one character: lower case, Latin-1 and Latin Extended-A accents removed.</summary>
    public static char Fold(char c)
    {
        if (c < 128)
        {
            return c is >= 'A' and <= 'Z' ? (char)(c + 32) : c;
        }

        return char.ToLowerInvariant(c) switch
        {
            'á' or 'à' or 'â' or 'ã' or 'ä' or 'å' or 'ā' => 'a',
            'é' or 'è' or 'ê' or 'ë' or 'ē' => 'e',
            'í' or 'ì' or 'î' or 'ï' or 'ī' => 'i',
            'ó' or 'ò' or 'ô' or 'õ' or 'ö' or 'ō' => 'o',
            'ú' or 'ù' or 'û' or 'ü' or 'ū' => 'u',
            'ç' => 'c',
            'ñ' => 'n',
            'ý' or 'ÿ' => 'y',
            var other => other,
        };
    }

    private static string Finish(StringBuilder word)
    {
        // A trailing underscore is punctuation, not part of the identifier.
        while (word.Length > 0 && word[^1] == '_')
        {
            word.Length--;
        }

        var text = word.Length > MaxTermLength ? word.ToString(0, MaxTermLength) : word.ToString();
        word.Clear();
        return text;
    }

    private static void AddWord(string word, List<string> terms)
    {
        if (word.Length == 0)
        {
            return;
        }

        if (word.Contains('_', StringComparison.Ordinal))
        {
            terms.Add(word);
            foreach (var part in word.Split('_', StringSplitOptions.RemoveEmptyEntries))
            {
                if (!IsStopWord(part))
                {
                    terms.Add(Stem(part));
                }
            }

            return;
        }

        if (!IsStopWord(word))
        {
            terms.Add(Stem(word));
        }
    }
}
