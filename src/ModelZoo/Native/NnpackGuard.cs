using System.Runtime.InteropServices;

namespace ModelZoo.Native;

/// <summary>
/// Keeps libtorch's NNPACK warning off the terminal on CPUs where NNPACK cannot run.
/// </summary>
/// <remarks>
/// libtorch asks <c>at::_nnpack_available()</c> for every convolution it might give to NNPACK (inference, batch 16
/// or more, oneDNN not taking it), and where NNPACK's <c>nnp_initialize</c> fails, which it does on CPUs that hide
/// their cache sizes (this project's VM, like the oneDNN case of <see cref="OneDnnGuard"/>), every such call logs
/// <c>Could not initialize NNPACK! Reason: Unsupported hardware.</c> to stderr: 6 to 580 lines a run, through the live
/// progress bar and <c>inspect</c>'s table. NNPACK is not used there anyway. The guard asks <c>nnp_initialize</c>
/// itself (it logs nothing and only reports) and, when it fails, turns NNPACK off for the process with
/// <c>at::globalContext().setUserEnabledNNPACK(false)</c> (what <c>torch.backends.nnpack.set_flags(False)</c> does in
/// PyTorch), so libtorch never asks again. Where NNPACK initialises, nothing changes. Never throws.
/// </remarks>
internal static class NnpackGuard
{
    private const int StatusSuccess = 0, StatusUnsupportedHardware = 51, StatusOutOfMemory = 52;
    private static readonly Lazy<string?> Decision = new(Decide, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>Why NNPACK was turned off in this process (after <see cref="Ensure"/>), or null while it is left as libtorch set it.</summary>
    public static string? DisabledReason => Decision.IsValueCreated ? Decision.Value : null;

    /// <summary>Makes the decision once per process. Cheap after the first call; never throws.</summary>
    public static void Ensure() => _ = Decision.Value;

    /// <summary>Whether libtorch would consider NNPACK now; null when that cannot be read here.</summary>
    public static bool? IsEnabled()
    {
        IntPtr context = LibTorchCpu.GlobalContext;
        if (context == IntPtr.Zero || !NativeLibrary.TryGetExport(LibTorchCpu.Handle, "_ZNK2at7Context17userEnabledNNPACKEv", out var getter)) return null;
        unsafe
        {
            return ((delegate* unmanaged<IntPtr, byte>)getter)(context) != 0;
        }
    }

    private static string? Decide()
    {
        try
        {
            IntPtr context = LibTorchCpu.GlobalContext;
            if (context == IntPtr.Zero
                || !LibTorchCpu.TryGetExport("nnp_initialize", out var initialize)
                || !LibTorchCpu.TryGetExport("_ZN2at7Context20setUserEnabledNNPACKEb", out var setter))
                return null;
            int status;
            unsafe
            {
                status = ((delegate* unmanaged<int>)initialize)();
            }
            if (status == StatusSuccess) return null;
            unsafe
            {
                ((delegate* unmanaged<IntPtr, byte, void>)setter)(context, 0);
            }
            if (IsEnabled() != false) return null;
            return status switch
            {
                StatusUnsupportedHardware => "NNPACK cannot initialise on this CPU (unsupported hardware)",
                StatusOutOfMemory => "NNPACK cannot initialise (out of memory)",
                _ => $"NNPACK cannot initialise (status {status})",
            };
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException or TypeInitializationException)
        {
            return null;
        }
    }
}
