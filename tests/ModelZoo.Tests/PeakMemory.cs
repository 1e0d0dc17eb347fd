using System.Text.RegularExpressions;

namespace ModelZoo.Tests;

/// <summary>
/// The peak resident memory of this process during an action (Linux: the kernel's high-water mark, reset through
/// <c>/proc/self/clear_refs</c> before the action). Null where that cannot be read; callers then skip the memory bound.
/// Other tests running at the same time add to it, so bounds must be generous (hundreds of MB, against the GBs a bug costs).
/// </summary>
internal static class PeakMemory
{
    /// <summary>Runs <paramref name="action"/> and returns the peak RSS growth over the RSS before it, in bytes, or null.</summary>
    public static long? GrowthDuring(Action action)
    {
        long? before = null;
        if (OperatingSystem.IsLinux())
        {
            try
            {
                File.WriteAllText("/proc/self/clear_refs", "5");
                before = Read("VmRSS");
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                before = null;
            }
        }
        action();
        if (before is not long start) return null;
        return Read("VmHWM") is long peak ? peak - start : null;
    }

    private static long? Read(string field)
    {
        var match = Regex.Match(File.ReadAllText("/proc/self/status"), field + @":\s+(\d+) kB");
        return match.Success ? long.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) * 1024 : null;
    }
}
