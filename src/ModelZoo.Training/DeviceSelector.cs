using TorchSharp;

namespace ModelZoo.Training;

/// <summary>Turns "cpu", "cuda" or "cuda:N" into a torch device, failing clearly when CUDA is missing.</summary>
public static class DeviceSelector
{
    /// <summary>True for a device name <see cref="Resolve"/> understands (<c>cpu</c>, <c>cuda</c>, <c>cuda:N</c>), whether or not the device is there.</summary>
    public static bool IsDeviceName(string? name)
    {
        if (string.IsNullOrWhiteSpace(name)) return false;
        string n = name.Trim().ToLowerInvariant();
        return n is "cpu" or "cuda" || (n.StartsWith("cuda:", StringComparison.Ordinal) && int.TryParse(n.AsSpan(5), out int i) && i >= 0);
    }

    /// <summary>The device for <paramref name="name"/>.</summary>
    /// <exception cref="DeviceUnavailableException">CUDA was asked for and is not available.</exception>
    /// <exception cref="ArgumentException">Not a device name.</exception>
    public static torch.Device Resolve(string name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        string n = name.Trim().ToLowerInvariant();
        if (n == "cpu") return torch.CPU;
        if (n == "cuda" || n.StartsWith("cuda:", StringComparison.Ordinal))
        {
            bool available;
            try { available = torch.cuda.is_available(); }
            catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException or TypeInitializationException) { available = false; }
            if (!available) throw new DeviceUnavailableException(name, WhyNoCuda(HasCudaLibTorch(AppContext.BaseDirectory)));
            if (n == "cuda") return torch.CUDA;
            if (!int.TryParse(n.AsSpan(5), out int index) || index < 0 || index >= torch.cuda.device_count())
                throw new DeviceUnavailableException(name, $"there are {torch.cuda.device_count()} CUDA devices");
            return torch.device(DeviceType.CUDA, index);
        }
        throw new ArgumentException($"unknown device '{name}': use cpu, cuda or cuda:N");
    }

    /// <summary>
    /// Why CUDA is unavailable, in plain words: a CPU-only libtorch (the installed tool, the default build, an app on
    /// TorchSharp-cpu) runs on the CPU only, and a GPU build is a different build; a CUDA libtorch without a visible
    /// GPU is a driver or machine matter.
    /// </summary>
    internal static string WhyNoCuda(bool cudaLibTorch) => cudaLibTorch
        ? "this build carries CUDA libtorch but no CUDA GPU is visible: check the NVIDIA driver (nvidia-smi) and CUDA_VISIBLE_DEVICES, or use --device cpu"
        : "this modelzoo carries the CPU build of libtorch only, as the installed tool (dotnet tool install ModelZoo.Cli) and the default build do: it runs on the CPU (--device cpu, the default). "
          + "A GPU build is built from source on Linux x64 or Windows x64 with an NVIDIA driver: `dotnet build src/ModelZoo.Cli -c Release -p:TorchBackend=cuda` "
          + "(CUDA libtorch from the TorchSharp-cuda-linux/-windows package, several GB), then run that build (docs/troubleshooting.md, CUDA backend selection)";

    /// <summary>Whether the app folder holds a CUDA libtorch (libtorch_cuda.so or torch_cuda.dll, in the folder or its runtimes/ tree).</summary>
    internal static bool HasCudaLibTorch(string appFolder)
    {
        try
        {
            string[] names = ["libtorch_cuda.so", "torch_cuda.dll"];
            if (names.Any(n => File.Exists(Path.Combine(appFolder, n)))) return true;
            string runtimes = Path.Combine(appFolder, "runtimes");
            return Directory.Exists(runtimes) && Directory.EnumerateFiles(runtimes, "*torch_cuda*", SearchOption.AllDirectories).Any();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }
}
