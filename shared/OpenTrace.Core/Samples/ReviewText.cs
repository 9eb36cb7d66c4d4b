namespace OpenTrace.Core.Samples;

/// <summary>Portuguese review titles and comments, with seeded multi-line messages and personal data.</summary>
internal sealed class ReviewText(long seed)
{
    private static readonly string[] PositiveTitles =
        ["recomendo", "Recomendo", "Super recomendo", "Ótimo", "Muito bom", "Excelente", "Adorei", "Perfeito", "Top", "Ótimo produto"];

    private static readonly string[] NeutralTitles = ["Bom", "Razoável", "Regular", "Poderia ser melhor", "Ok"];

    private static readonly string[] NegativeTitles =
        ["Não recebi", "Péssimo", "Produto errado", "Atrasou", "Não recomendo", "Decepcionado", "Veio com defeito"];

    private static readonly string[] Positive =
    [
        "Produto excelente, chegou antes do prazo.",
        "Recebi bem antes do prazo estipulado.",
        "Ótimo produto, recomendo!",
        "Muito bom, exatamente como descrito no anúncio.",
        "Entrega rápida e produto de qualidade.",
        "Chegou tudo certinho, bem embalado.",
        "Gostei muito, vendedor atencioso.",
        "Superou minhas expectativas.",
        "Comprarei novamente nesta loja.",
        "Produto de boa qualidade e preço justo.",
        "Tudo perfeito, obrigado!",
        "Minha filha adorou o presente.",
        "A qualidade é muito boa, vale cada centavo.",
    ];

    private static readonly string[] Neutral =
    [
        "O produto é bom, mas a embalagem veio amassada.",
        "Chegou dentro do prazo, porém a cor é diferente da foto.",
        "Razoável, esperava um pouco mais pelo preço.",
        "Veio faltando uma peça, mas o resto está ok.",
        "Demorou um pouco, mas chegou.",
        "O tamanho é menor do que eu imaginava.",
    ];

    private static readonly string[] Negative =
    [
        "Ainda não recebi o produto.",
        "Produto não chegou até agora e ninguém me dá retorno.",
        "Comprei dois itens e só recebi um.",
        "Veio com defeito, quero a devolução do dinheiro.",
        "Produto errado, não é o que eu pedi.",
        "Veio escrito \"original\" na caixa, mas parece falsificado.",
        "Não recomendo esta loja.",
        "Péssimo atendimento, ninguém responde.",
    ];

    private static readonly string[] Late =
    [
        "Entrega atrasou muito, péssimo.",
        "Atrasou mais de uma semana.",
        "O prazo de entrega não foi cumprido.",
        "Chegou depois da data prevista.",
    ];

    private static readonly string[] EmailLeads = ["Entrem em contato pelo e-mail {0}", "Meu e-mail é {0}", "Favor responder para {0}"];
    private static readonly string[] PhoneLeads = ["Me liguem no {0}", "Meu telefone para contato: {0}", "WhatsApp {0}, aguardo retorno"];

    private static readonly string[] FirstNames =
    [
        "maria", "ana", "joao", "jose", "carlos", "paulo", "lucas", "fernanda", "juliana", "patricia", "marcos", "rafael",
        "bruna", "camila", "pedro", "gabriel", "aline", "rodrigo", "luciana", "renata",
    ];

    private static readonly string[] Surnames =
    [
        "silva", "santos", "oliveira", "souza", "lima", "pereira", "ferreira", "costa", "rodrigues", "almeida",
        "nascimento", "carvalho", "gomes", "martins", "araujo", "ribeiro",
    ];

    private static readonly string[] Providers =
        ["gmail.com", "hotmail.com", "yahoo.com.br", "uol.com.br", "bol.com.br", "outlook.com", "terra.com.br", "ig.com.br"];

    private static readonly int[] AreaCodes = [11, 21, 31, 41, 51, 61, 71, 81, 85, 19, 27, 48, 62, 92, 98];

    private readonly BlockSampler _email = new(seed, SampleStream.TextEmail, OlistPii.EmailOneIn);
    private readonly BlockSampler _phone = new(seed, SampleStream.TextPhone, OlistPii.PhoneOneIn);
    private readonly BlockSampler _multiLine = new(seed, SampleStream.TextMultiLine, OlistPii.MultiLineOneIn);

    public string Title(SampleRandom random, int score) =>
        random.Pick(score >= 4 ? PositiveTitles : score == 3 ? NeutralTitles : NegativeTitles);

    /// <summary>The comment for the <paramref name="messageIndex"/>-th message written.</summary>
    public string Message(SampleRandom random, int score, bool late, long messageIndex)
    {
        var sentences = new List<string>(4);
        if (late && score <= 3)
        {
            sentences.Add(random.Pick(Late));
        }

        var pool = score >= 4 ? Positive : score == 3 ? Neutral : Negative;
        var count = 1 + random.Next(random.Chance(0.3) ? 3 : 1);
        for (var i = 0; i < count; i++)
        {
            var sentence = random.Pick(pool);
            if (!sentences.Contains(sentence))
            {
                sentences.Add(sentence);
            }
        }

        if (_email.Hit(messageIndex))
        {
            sentences.Add(string.Format(System.Globalization.CultureInfo.InvariantCulture, random.Pick(EmailLeads), EmailAddress(random)));
        }

        if (_phone.Hit(messageIndex))
        {
            var format = OlistPii.PhoneFormats[(int)(_phone.Block(messageIndex) % OlistPii.PhoneFormats.Count)];
            sentences.Add(string.Format(System.Globalization.CultureInfo.InvariantCulture, random.Pick(PhoneLeads), PhoneNumber(random, format)));
        }

        if (sentences.Count == 1 && _multiLine.Hit(messageIndex))
        {
            sentences.Add(random.Pick(pool));
        }

        var separator = !_multiLine.Hit(messageIndex) ? " " : _multiLine.Block(messageIndex) % 3 == 2 ? "\n" : "\r\n";
        return string.Join(separator, sentences);
    }

    private static string EmailAddress(SampleRandom random)
    {
        var first = random.Pick(FirstNames);
        var last = random.Pick(Surnames);
        var provider = random.Pick(Providers);
        return random.Next(3) switch
        {
            0 => $"{first}.{last}@{provider}",
            1 => string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{first}{last}{random.Next(10, 100)}@{provider}"),
            _ => $"{first}_{last}@{provider}",
        };
    }

    private static string PhoneNumber(SampleRandom random, OlistPiiFormat format)
    {
        var area = random.Pick(AreaCodes);
        var head = 90000 + random.Next(10000);
        var tail = random.Next(10000);
        var culture = System.Globalization.CultureInfo.InvariantCulture;
        return format.Name switch
        {
            "phone_parenthesised" => string.Create(culture, $"({area}) {head}-{tail:D4}"),
            "phone_international" => string.Create(culture, $"+55 {area} {head}-{tail:D4}"),
            _ => string.Create(culture, $"{area}{head}{tail:D4}"),
        };
    }
}
