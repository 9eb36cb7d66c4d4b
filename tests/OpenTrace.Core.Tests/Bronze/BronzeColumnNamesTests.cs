using OpenTrace.Core.Bronze;

namespace OpenTrace.Core.Tests.Bronze;

public sealed class BronzeColumnNamesTests
{
    [Theory]
    [InlineData("order_id", "order_id")]
    [InlineData("Order ID", "Order_ID")]
    [InlineData("preço (R$)", "preco_R")]
    [InlineData("Ñandú/Æther", "Nandu_AEther")]
    [InlineData("2024 total", "col_2024_total")]
    [InlineData("_lineage_id", "lineage_id")]
    [InlineData("a__b", "a__b")]
    [InlineData("名前", "column_7")]
    [InlineData("", "column_7")]
    [InlineData("  ", "column_7")]
    public void Clean_GivesAWarehouseSafeName(string header, string expected)
    {
        Assert.Equal(expected, BronzeColumnNames.Clean(header, 7));
    }

    [Fact]
    public void FromHeader_NamesThatClashIgnoringCase_GetNumberedSuffixes()
    {
        Assert.Equal(["id", "ID_2", "id_3", "id_2_2"], BronzeColumnNames.FromHeader(["id", "ID", "id ", "id_2"]));
    }

    [Fact]
    public void FromHeader_LongNames_StayWithinTheLimitAndUnique()
    {
        var longName = new string('x', 400);

        var names = BronzeColumnNames.FromHeader([longName, longName]);

        Assert.All(names, n => Assert.True(n.Length <= BronzeColumnNames.MaxLength));
        Assert.Equal(new string('x', 300), names[0]);
        Assert.Equal(new string('x', 298) + "_2", names[1]);
    }

    [Fact]
    public void FromHeader_NeverProducesANameOfTheColumnsBronzeAdds()
    {
        var names = BronzeColumnNames.FromHeader([.. BronzeTable.AddedColumns]);

        Assert.Empty(names.Intersect(BronzeTable.AddedColumns, StringComparer.OrdinalIgnoreCase));
        Assert.All(names, n => Assert.False(n.StartsWith('_')));
    }
}
