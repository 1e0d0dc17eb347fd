using System.Globalization;

namespace ModelZoo.Cli.Commands;

/// <summary>Human-readable counts for tables (JSON output always carries raw integers).</summary>
public static class Units
{
    /// <summary>1234 -> "1.23 K", 11689512 -> "11.69 M", 1814073344 -> "1.81 G".</summary>
    public static string Count(long value)
    {
        var inv = CultureInfo.InvariantCulture;
        return Math.Abs(value) switch
        {
            >= 1_000_000_000 => (value / 1e9).ToString("0.00", inv) + " G",
            >= 1_000_000 => (value / 1e6).ToString("0.00", inv) + " M",
            >= 10_000 => (value / 1e3).ToString("0.00", inv) + " K",
            _ => value.ToString(inv),
        };
    }
}
