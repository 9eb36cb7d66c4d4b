using OpenTrace.Core.Gold;

namespace OpenTrace.Core.Tests.Gold;

/// <summary>Small model files and sources written inline for parser and renderer tests.</summary>
internal static class ModelText
{
    public const string SourcesYaml = """
        sources:
          - dataset: silver
            freshness: {warn_after: 12h, error_after: 2d}
            tables:
              - name: shop__orders
              - name: shop__items
                loaded_at_column: loaded
              - name: shop__rates
                freshness: null
        """;

    public static IReadOnlyList<GoldSource> Sources() => ModelFileReader.ReadSources("models/sources.yaml", SourcesYaml);

    public static GoldModel Model(string name, string text) => ModelFileReader.ReadModel($"models/{name}.sql", "shop", text);

    /// <summary>A table model selecting <paramref name="body"/> with one string column <c>id</c>.</summary>
    public static GoldModel Simple(string name, string body) => Model(name, $"""
        /*
        description: {name} for tests.
        columns:
          - name: id
            type: string
            description: Key.
            tests: [unique]
        */
        {body}
        """);

    public static GoldProject Project(params GoldModel[] models) => GoldProject.Create(models, Sources());
}
