namespace ModelZoo.Training;

/// <summary>A data-parallel run cannot start or continue: no MPI library, a failed collective, inconsistent ranks.</summary>
public sealed class DistributedException : ModelZooException
{
    /// <summary>Creates the exception.</summary>
    public DistributedException(string message, Exception? inner = null) : base(message, inner) { }
}
