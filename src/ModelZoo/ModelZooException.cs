namespace ModelZoo;

/// <summary>Base of the typed errors the ModelZoo library raises; the CLI maps them to messages and exit codes.</summary>
public class ModelZooException : Exception
{
    /// <summary>Creates the exception.</summary>
    public ModelZooException(string message, Exception? inner = null) : base(message, inner) { }
}
