using System.Runtime.InteropServices;

namespace ModelZoo.Native;

/// <summary>
/// The process's copy of <c>libtorch_cpu.so</c> (the one TorchSharp loaded), for the few libtorch switches TorchSharp
/// 0.107 does not bind: oneDNN on/off (<see cref="OneDnnGuard"/>), NNPACK on/off (<see cref="NnpackGuard"/>) and autocast
/// (<see cref="AutocastNative"/>). The
/// exports are looked up by their Itanium C++ ABI names, which exist only in the Linux build of libtorch.
/// </summary>
internal static class LibTorchCpu
{
    private static readonly Lazy<IntPtr> Library = new(Find);

    /// <summary>The library handle, or zero when it cannot be found (not Linux, or TorchSharp's natives do not load).</summary>
    public static IntPtr Handle => Library.Value;

    /// <summary>Looks up <paramref name="mangledName"/>; false when the library or the export is missing.</summary>
    public static bool TryGetExport(string mangledName, out IntPtr address)
    {
        address = IntPtr.Zero;
        return Handle != IntPtr.Zero && NativeLibrary.TryGetExport(Handle, mangledName, out address);
    }

    private static readonly Lazy<IntPtr> Context = new(() =>
    {
        if (!TryGetExport("_ZN2at13globalContextEv", out var getContext)) return IntPtr.Zero;
        unsafe
        {
            return ((delegate* unmanaged<IntPtr>)getContext)();
        }
    });

    /// <summary><c>at::globalContext()</c> (the process's libtorch settings), or zero when it cannot be reached.</summary>
    public static IntPtr GlobalContext => Context.Value;

    private static IntPtr Find()
    {
        if (!OperatingSystem.IsLinux()) return IntPtr.Zero;
        try
        {
            // Make sure TorchSharp has loaded libtorch (from the application's runtimes folder), then find the same copy.
            using (var probe = TorchSharp.torch.empty(1)) { }
        }
        catch (Exception e) when (e is TypeInitializationException or DllNotFoundException or NotSupportedException)
        {
            return IntPtr.Zero;
        }
        if (NativeLibrary.TryLoad("libtorch_cpu.so", out var lib)) return lib;
        string local = Path.Combine(AppContext.BaseDirectory, "runtimes", RuntimeInformation.RuntimeIdentifier, "native", "libtorch_cpu.so");
        string portable = Path.Combine(AppContext.BaseDirectory, "runtimes", "linux-" + RuntimeInformation.ProcessArchitecture.ToString().ToLowerInvariant(), "native", "libtorch_cpu.so");
        if (NativeLibrary.TryLoad(local, out lib) || NativeLibrary.TryLoad(portable, out lib)) return lib;
        return IntPtr.Zero;
    }
}
