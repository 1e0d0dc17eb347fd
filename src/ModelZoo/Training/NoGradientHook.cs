using TorchSharp.Modules;

namespace ModelZoo.Training;

/// <summary>The default <see cref="IGradientHook"/>: does nothing.</summary>
public sealed class NoGradientHook : IGradientHook
{
    /// <summary>The shared instance.</summary>
    public static NoGradientHook Instance { get; } = new();

    /// <inheritdoc />
    public void OnGradients(IReadOnlyList<Parameter> parameters, long step)
    {
    }
}
