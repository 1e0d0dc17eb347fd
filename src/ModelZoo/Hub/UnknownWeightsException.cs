namespace ModelZoo.Hub;

/// <summary>A weights name that is not in any model's weights table.</summary>
public sealed class UnknownWeightsException : ModelZooException
{
    /// <summary>Creates the exception, listing the known names.</summary>
    public UnknownWeightsException(string name, IEnumerable<string> known, string? why = null)
        : base($"unknown weights '{name}'{(why is null ? "" : $" ({why})")}. Known weights: {string.Join(", ", known)}")
    {
        Name = name;
    }

    /// <summary>The name that was asked for.</summary>
    public string Name { get; }
}
