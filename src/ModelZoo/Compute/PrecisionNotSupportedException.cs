namespace ModelZoo;

/// <summary>A compute precision that cannot run here at all (not one that merely runs slowly: see <see cref="PrecisionSupport"/>).</summary>
public sealed class PrecisionNotSupportedException : ModelZooException
{
    /// <summary>Creates the exception.</summary>
    public PrecisionNotSupportedException(ComputePrecision precision, string reason)
        : base($"{PrecisionSupport.Name(precision)} compute is not available: {reason}")
    {
        Precision = precision;
    }

    /// <summary>The precision asked for.</summary>
    public ComputePrecision Precision { get; }
}
