using OpenTrace.Core.Silver;

namespace OpenTrace.Core.Tests.Silver;

public sealed class KeyTableTests
{
    [Fact]
    public void Add_WithoutOrdering_TheLaterRowWins()
    {
        var table = new KeyTable(4, ordered: false);

        Assert.Equal(-1, table.Add(1, long.MinValue, 0));
        Assert.Equal(-1, table.Add(2, long.MinValue, 1));
        Assert.Equal(0, table.Add(1, long.MinValue, 2));
        Assert.Equal(2, table.Add(1, long.MinValue, 3));
    }

    [Fact]
    public void Add_WithOrdering_TheHighestOrderWinsThenTheLaterRow()
    {
        var table = new KeyTable(5, ordered: true);

        Assert.Equal(-1, table.Add(7, 10, 0));
        Assert.Equal(1, table.Add(7, 5, 1));
        Assert.Equal(0, table.Add(7, 20, 2));
        Assert.Equal(2, table.Add(7, 20, 3));
        Assert.Equal(4, table.Add(7, long.MinValue, 4));
    }

    [Fact]
    public void Add_KeysThatShareTheirFirstSlot_AreKeptApart()
    {
        // Equal high halves land on the same slot, so every key probes past the others and around the table's end.
        const int rows = 40;
        var table = new KeyTable(rows, ordered: false);
        var high = (UInt128)ulong.MaxValue << 64;
        for (var i = 0; i < rows; i++)
        {
            Assert.Equal(-1, table.Add(high | (ulong)i, long.MinValue, i));
        }

        for (var i = 0; i < rows; i++)
        {
            Assert.Equal(i, table.Add(high | (ulong)i, long.MinValue, rows + i));
        }
    }
}
