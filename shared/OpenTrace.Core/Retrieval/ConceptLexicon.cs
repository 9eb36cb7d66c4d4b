namespace OpenTrace.Core.Retrieval;

/// <summary>
/// A small English–Portuguese lexicon of e-commerce, logistics and data-platform concepts: words that mean the same
/// thing here (<c>late</c>, <c>delayed</c>, <c>overdue</c>, <c>atrasou</c>) map to one concept. The local embedder adds
/// the concept as a feature, so a question worded differently from the documents (or in English over Portuguese
/// review comments) still lands near them; BM25 keeps matching exact terms. Keys are analysed terms
/// (<see cref="TextAnalyzer"/>), so inflections map too.
/// </summary>
internal static class ConceptLexicon
{
    private static readonly string[][] Groups =
    [
        ["late", "lateness", "delay", "delayed", "tardy", "overdue", "behind", "slow", "atraso", "atrasou", "atrasado", "atrasada", "demorou"],
        ["customer", "buyer", "shopper", "client", "consumer", "purchaser", "cliente", "comprador"],
        ["seller", "merchant", "vendor", "store", "shop", "retailer", "loja", "vendedor", "lojista"],
        ["order", "purchase", "pedido", "compra", "comprei"],
        ["product", "item", "goods", "article", "merchandise", "produto", "produtos"],
        ["delivery", "deliver", "shipment", "ship", "shipping", "parcel", "package", "arrive", "arrival", "arrived", "reach", "entrega", "entregue", "chegou", "chegar", "recebi", "receive", "received", "transit"],
        ["carrier", "courier", "logistics", "transport", "transportadora", "correios", "haulier"],
        ["estimate", "estimated", "promise", "promised", "expected", "deadline", "due", "forecast", "prazo", "previsto", "prevista", "limit"],
        ["review", "feedback", "rating", "survey", "comment", "comentario", "avaliacao", "opinion"],
        ["score", "stars", "star", "grade", "nota", "rating"],
        ["detractor", "dissatisfied", "unhappy", "angry", "upset", "complaint", "complain", "pessimo", "ruim", "reclamacao", "decepcionado"],
        ["promoter", "satisfied", "happy", "pleased", "otimo", "excelente", "perfeito", "adorei", "recomendo", "recommend"],
        ["defective", "broken", "damaged", "faulty", "defect", "defeito", "quebrado", "amassada"],
        ["wrong", "incorrect", "mistaken", "errado", "faltando", "missing"],
        ["refund", "reimbursement", "return", "devolucao", "reembolso", "replacement"],
        ["payment", "pay", "paid", "pagamento", "pago", "boleto"],
        ["voucher", "coupon", "gift", "vale", "cupom"],
        ["revenue", "sales", "sale", "money", "income", "turnover", "faturamento", "collected"],
        ["answer", "reply", "respond", "response", "resposta", "retorno", "responde"],
        ["email", "mail", "e-mail"],
        ["phone", "telephone", "mobile", "cellphone", "whatsapp", "telefone", "celular"],
        ["personal", "pii", "privacy", "private", "sensitive", "pseudonymise", "pseudonymize", "pseudonymised", "pseudonymized", "pseudonym", "pseudonymisation", "pseudonymization", "mask", "masked", "anonymise", "anonymize", "leak", "cpf", "cnpj"],
        ["zip", "postal", "postcode", "cep"],
        ["state", "uf", "estado", "region"],
        ["category", "categoria", "department"],
        ["price", "cost", "preco", "valor", "value"],
        ["freight", "postage", "frete"],
        ["cancel", "canceled", "cancelled", "cancellation", "cancelado", "cancelada"],
        ["duplicate", "duplicated", "duplicates", "twice", "repeated", "replay", "again"],
        ["lineage", "provenance", "trace", "origin", "source", "upload", "uploaded"],
        ["quarantine", "quarantined", "reject", "rejected", "invalid", "bad", "broken"],
        ["rule", "check", "test", "validation", "contract"],
        ["weight", "heavy", "peso", "grams", "kilograms"],
        ["dimension", "size", "length", "height", "width", "measurement", "tamanho"],
        ["days", "duration", "time", "long"],
        ["incident", "alert", "outage", "escalate", "escalation", "spike", "jump", "rise"],
        ["close", "resolve", "resolved", "fix", "solve"],
        ["counterfeit", "fake", "falsificado", "falsified", "knockoff", "original"],
        ["installment", "instalment", "installments", "instalments", "parcela", "parcelas"],
        ["portuguese", "portugues", "brazilian"],
        ["file", "arquivo", "csv", "drop"],
        ["tier", "tiering", "classify", "classified", "flag", "flagged", "problematic", "risk"],
    ];

    private static readonly Dictionary<string, string> ConceptByTerm = Build();

    /// <summary>The concept of an analysed term, or null when the term belongs to none.</summary>
    public static string? ConceptOf(string term) => ConceptByTerm.GetValueOrDefault(term);

    private static Dictionary<string, string> Build()
    {
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var group in Groups)
        {
            foreach (var word in group)
            {
                foreach (var term in TextAnalyzer.Terms(word))
                {
                    map.TryAdd(term, group[0]); // the first group to claim a term keeps it
                }
            }
        }

        return map;
    }
}
