using System.Numerics.Tensors;
using OpenTrace.Core.Retrieval;

namespace OpenTrace.Core.Tests.Retrieval;

public sealed class TextAnalysisTests
{
    [Fact]
    public void Terms_FoldAccentsDropStopWordsAndStemPlurals()
    {
        Assert.Equal(["nao", "recebi", "produto"], TextAnalyzer.Terms("Não recebi o produto!"));
        Assert.Equal(["delivery", "order", "deliver"], TextAnalyzer.Terms("The deliveries of orders are delivered"));
    }

    [Fact]
    public void Terms_KeepIdentifiersWholeAndAddTheirParts()
    {
        var terms = TextAnalyzer.Terms("What is product_name_lenght?");

        Assert.Equal(["product_name_lenght", "product", "name", "lenght"], terms);
    }

    [Theory]
    [InlineData("categories", "category")]
    [InlineData("addresses", "address")]
    [InlineData("status", "status")]
    [InlineData("delivered", "deliver")]
    [InlineData("shipping", "ship")]
    [InlineData("installed", "install")]
    [InlineData("arrived", "arriv")]
    [InlineData("arrive", "arriv")]
    [InlineData("late", "late")]
    [InlineData("red", "red")]
    [InlineData("2018", "2018")]
    public void Stem_TrimsPluralsAndVerbEndingsOnly(string word, string stem) => Assert.Equal(stem, TextAnalyzer.Stem(word));

    [Fact]
    public async Task HashingEmbedder_IsDeterministicNormalisedAndOfTheDeclaredSize()
    {
        var embedder = new HashingTextEmbedder();
        var a = await embedder.EmbedAsync(["late deliveries by seller state", "late deliveries by seller state"], EmbeddingPurpose.RetrievalDocument, TestContext.Current.CancellationToken);

        Assert.Equal(384, embedder.Dimensions);
        Assert.Equal("opentrace-hashing-v1-384", embedder.ModelId);
        Assert.Equal(384, a[0].Length);
        Assert.Equal(a[0], a[1]);
        Assert.Equal(a[0], new HashingTextEmbedder().Embed("late deliveries by seller state"));
        Assert.Equal(1f, TensorPrimitives.Norm(a[0]), 4);
        Assert.All(new HashingTextEmbedder().Embed("the of and"), v => Assert.Equal(0f, v)); // only stop words: no features
    }

    [Fact]
    public void HashingEmbedder_PlacesRelatedTextNearerThanUnrelatedText()
    {
        var embedder = new HashingTextEmbedder();
        var query = embedder.Embed("Which orders were delivered late?");
        var related = embedder.Embed("An order is late when it was delivered after the estimated delivery date.");
        var unrelated = embedder.Embed("Zip code prefixes are stored as text with leading zeros.");

        Assert.True(TensorPrimitives.Dot(query, related) > TensorPrimitives.Dot(query, unrelated) + 0.1f);
    }

    [Fact]
    public void HashingEmbedder_MatchesSynonymsAndPortugueseThroughConcepts()
    {
        var embedder = new HashingTextEmbedder();
        var question = embedder.Embed("delayed parcel");
        var review = embedder.Embed("Atrasou muito, a entrega chegou depois");
        var other = embedder.Embed("Produto de boa qualidade e preço justo");

        Assert.True(TensorPrimitives.Dot(question, review) > TensorPrimitives.Dot(question, other) + 0.1f);
    }

    [Fact]
    public void HashingEmbedder_ToleratesMisspellingsThroughCharacterNGrams()
    {
        var embedder = new HashingTextEmbedder();
        var typo = embedder.Embed("instalments");
        var right = embedder.Embed("installments");
        var unrelated = embedder.Embed("geolocation");

        Assert.True(TensorPrimitives.Dot(typo, right) > 0.5f);
        Assert.True(TensorPrimitives.Dot(typo, unrelated) < 0.2f);
    }
}
