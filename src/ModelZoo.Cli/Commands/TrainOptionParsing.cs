using ModelZoo.Training;

namespace ModelZoo.Cli.Commands;

/// <summary>Parses the enum-valued train options (lower-case names, as documented).</summary>
public static class TrainOptionParsing
{
    /// <summary>Parses a precision name (<see cref="PrecisionSupport.Parse"/>).</summary>
    public static bool TryPrecision(string text, out ComputePrecision precision)
    {
        try
        {
            precision = PrecisionSupport.Parse(text);
            return true;
        }
        catch (ArgumentException)
        {
            precision = default;
            return false;
        }
    }

    /// <summary>Parses an optimiser name.</summary>
    public static bool TryOptimizer(string text, out OptimizerKind kind) => Enum.TryParse(Clean(text), ignoreCase: true, out kind) && Enum.IsDefined(kind);

    /// <summary>Parses a schedule name.</summary>
    public static bool TrySchedule(string text, out ScheduleKind kind) => Enum.TryParse(Clean(text), ignoreCase: true, out kind) && Enum.IsDefined(kind);

    /// <summary>Parses an init scheme name.</summary>
    public static bool TryInit(string text, out InitScheme scheme) => Enum.TryParse(Clean(text), ignoreCase: true, out scheme) && Enum.IsDefined(scheme);

    private static string Clean(string s) => s.Trim().Replace("-", "", StringComparison.Ordinal).Replace("_", "", StringComparison.Ordinal) is var c && c.All(char.IsLetter) ? c : "?";
}
