namespace Ipvs.Cli.Output;

/// <summary>A plain-text table: upper-case headers, columns two spaces apart, numbers right-aligned.</summary>
internal sealed class TextTable
{
    private readonly List<(string Header, bool Numeric)> _columns = [];
    private readonly List<string[]> _rows = [];

    /// <summary>Adds a column; returns the table for chaining.</summary>
    public TextTable Column(string header, bool numeric = false)
    {
        _columns.Add((header, numeric));
        return this;
    }

    /// <summary>Adds a row with one cell per column.</summary>
    public void Row(params string[] cells)
    {
        if (cells.Length != _columns.Count)
        {
            throw new ArgumentException($"The table has {_columns.Count} columns, the row {cells.Length} cells.", nameof(cells));
        }

        _rows.Add(cells);
    }

    public int RowCount => _rows.Count;

    public void Write(TextWriter output)
    {
        var widths = new int[_columns.Count];
        for (var i = 0; i < widths.Length; i++)
        {
            widths[i] = Math.Max(_columns[i].Header.Length, _rows.Count == 0 ? 0 : _rows.Max(r => r[i].Length));
        }

        WriteLine(output, _columns.Select(c => c.Header).ToArray(), widths);
        foreach (var row in _rows)
        {
            WriteLine(output, row, widths);
        }
    }

    private void WriteLine(TextWriter output, string[] cells, int[] widths)
    {
        var line = new System.Text.StringBuilder();
        for (var i = 0; i < cells.Length; i++)
        {
            var last = i == cells.Length - 1;
            if (i > 0)
            {
                line.Append("  ");
            }

            if (_columns[i].Numeric)
            {
                line.Append(cells[i].PadLeft(widths[i]));
            }
            else
            {
                line.Append(last ? cells[i] : cells[i].PadRight(widths[i]));
            }
        }

        output.WriteLine(line.ToString().TrimEnd());
    }
}
