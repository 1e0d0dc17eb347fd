using System.Reflection;
using System.Runtime.InteropServices;

namespace ModelZoo.Training;

/// <summary>Versions recorded in config.json and checkpoints.</summary>
internal static class Versions
{
    public static string ModelZoo => Informational(typeof(Versions).Assembly);
    public static string TorchSharp => Informational(typeof(TorchSharp.torch).Assembly);
    public static string DotNet => RuntimeInformation.FrameworkDescription;

    private static string Informational(Assembly assembly)
    {
        string? v = assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
            ?? assembly.GetName().Version?.ToString();
        return v ?? "unknown";
    }
}
