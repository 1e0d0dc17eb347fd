namespace ModelZoo;

/// <summary>A model name that is neither a registered model nor an alias.</summary>
public sealed class UnknownModelException : ModelZooException
{
    /// <summary>Creates the exception, listing the known names.</summary>
    public UnknownModelException(string name, IEnumerable<string> known)
        : base($"unknown model '{name}'. Known models: {string.Join(", ", known)}")
    {
        Name = name;
    }

    /// <summary>The name that was asked for.</summary>
    public string Name { get; }
}
