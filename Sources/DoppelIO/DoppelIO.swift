@_exported import DoppelTable
