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
            if (!available)
                throw new DeviceUnavailableException(name, "this build has no CUDA backend or no CUDA GPU is visible (build with -p:TorchBackend=cuda on a machine with an NVIDIA driver, or use --device cpu)");
            if (n == "cuda") return torch.CUDA;
            if (!int.TryParse(n.AsSpan(5), out int index) || index < 0 || index >= torch.cuda.device_count())
                throw new DeviceUnavailableException(name, $"there are {torch.cuda.device_count()} CUDA devices");
            return torch.device(DeviceType.CUDA, index);
        }
        throw new ArgumentException($"unknown device '{name}': use cpu, cuda or cuda:N");
    }
}
