@_exported import DoppelIO
