using OpenTrace.Core.Warehouse;
using OpenTrace.Embedded.Warehouse;

namespace OpenTrace.Embedded.Tests.Warehouse;

public sealed class DuckDbSqlTests
{
    [Theory]
    [InlineData("SELECT @a", "SELECT $a")]
    [InlineData("WHERE x = @a AND y = @b_2", "WHERE x = $a AND y = $b_2")]
    [InlineData("SELECT '@a'", "SELECT '@a'")]
    [InlineData("SELECT 'it''s @a' || @a", "SELECT 'it''s @a' || $a")]
    [InlineData("SELECT E'\\'@a' || @a", "SELECT E'\\'@a' || $a")]
    [InlineData("SELECT \"@a\" FROM t", "SELECT \"@a\" FROM t")]
    [InlineData("SELECT \"x\"\"@a\" FROM t", "SELECT \"x\"\"@a\" FROM t")]
    [InlineData("SELECT 1 -- @a\n, @a", "SELECT 1 -- @a\n, $a")]
    [InlineData("SELECT /* @a */ @a", "SELECT /* @a */ $a")]
    [InlineData("SELECT $$ @a $$, @a", "SELECT $$ @a $$, $a")]
    [InlineData("SELECT a@b, @@a, @1", "SELECT a@b, @@a, @1")]
    [InlineData("SELECT 'unterminated @a", "SELECT 'unterminated @a")]
    public void RewriteParameters_RewritesOnlyParametersInCode(string sql, string expected)
    {
        Assert.Equal(expected, DuckDbSql.RewriteParameters(sql, out _));
    }

    [Fact]
    public void RewriteParameters_ReportsEachNameOnce_InOrderOfFirstUse()
    {
        DuckDbSql.RewriteParameters("SELECT @b, @a, @B, '@c'", out var names);

        Assert.Equal(["b", "a"], names);
    }

    [Theory]
    [InlineData(ColumnType.String, false, "VARCHAR")]
    [InlineData(ColumnType.Int64, false, "BIGINT")]
    [InlineData(ColumnType.Float64, true, "DOUBLE[]")]
    [InlineData(ColumnType.Bool, false, "BOOLEAN")]
    [InlineData(ColumnType.Date, false, "DATE")]
    [InlineData(ColumnType.Timestamp, false, "TIMESTAMP")]
    [InlineData(ColumnType.Bytes, false, "BLOB")]
    [InlineData(ColumnType.Json, false, "JSON")]
    public void TypeOf_MapsEachColumnType(ColumnType type, bool repeated, string expected)
    {
        Assert.Equal(expected, DuckDbSql.TypeOf(new ColumnSchema("c", type, Repeated: repeated), jsonAvailable: true));
    }

    [Fact]
    public void TypeOf_JsonWithoutTheJsonExtension_IsVarchar()
    {
        Assert.Equal("VARCHAR", DuckDbSql.TypeOf(new ColumnSchema("c", ColumnType.Json), jsonAvailable: false));
    }

    [Fact]
    public void TypeOf_Decimal_UsesPrecisionAndScale_DefaultingToBigQueryNumeric()
    {
        Assert.Equal("DECIMAL(18,4)", DuckDbSql.TypeOf(new ColumnSchema("c", ColumnType.Decimal, Precision: 18, Scale: 4), true));
        Assert.Equal("DECIMAL(38,9)", DuckDbSql.TypeOf(new ColumnSchema("c", ColumnType.Decimal), true));
        var error = Assert.Throws<WarehouseException>(() => DuckDbSql.TypeOf(new ColumnSchema("amount", ColumnType.Decimal, Precision: 76, Scale: 38), true));
        Assert.Contains("amount", error.Message);
    }
}
