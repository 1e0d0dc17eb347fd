using TorchSharp;

namespace ModelZoo;

/// <summary>What <see cref="PrecisionSupport.Check"/> found for a precision on a device.</summary>
/// <param name="Precision">The precision checked.</param>
/// <param name="Device">The device type checked.</param>
/// <param name="IsFast">True when the hardware computes this precision natively (or it is float32); false when it will run correctly but usually slower than float32.</param>
/// <param name="Reason">One sentence: the instructions found or missing, or what was not checked.</param>
public sealed record PrecisionCapability(ComputePrecision Precision, DeviceType Device, bool IsFast, string Reason);
