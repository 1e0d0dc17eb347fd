namespace ModelZoo.Training;

/// <summary>The requested device (e.g. <c>cuda</c>) is not available in this build or on this machine.</summary>
public sealed class DeviceUnavailableException : ModelZooException
{
    /// <summary>Creates the exception.</summary>
    public DeviceUnavailableException(string device, string reason)
        : base($"device '{device}' is not available: {reason}")
    {
        Device = device;
    }

    /// <summary>The device that was asked for.</summary>
    public string Device { get; }
}
